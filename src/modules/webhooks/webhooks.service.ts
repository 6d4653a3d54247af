import { createHmac, randomBytes } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import { UnrecoverableError } from 'bullmq';
import { Types } from 'mongoose';
import type { Logger } from 'pino';
import { loadConfig, type Config } from '../../config';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../errors';
import type { AuthContext } from '../../http/context';
import { afterCursor, toPage } from '../../http/pagination';
import { JobName, WEBHOOK_ATTEMPTS } from '../../queue/jobs';
import type { Queues } from '../../queue/queues';
import { DeliveryAttemptError } from './delivery-attempt.error';
import type { DomainEvent, EventSink, EventType } from './events';
import { signatureHeaders } from './signing';
import { Webhook, type WebhookDoc } from './webhook.model';
import {
  WebhookDelivery,
  type DeliveryAttempt,
  type DeliveryStatus,
  type WebhookDeliveryDoc,
} from './webhook-delivery.model';

/** The settings webhooks read from the configuration. */
export type WebhookSettings = Pick<
  Config,
  'nodeEnv' | 'webhookKey' | 'webhookRetryDelayMs' | 'webhookMaxFailures'
>;

/** An organisation's endpoints at most; every event is fanned out to all of them. */
export const MAX_WEBHOOKS_PER_ORGANISATION = 20;
/** How long one POST may take before the attempt counts as failed. */
export const DELIVERY_TIMEOUT_MS = 5000;
/** Finished deliveries are kept in the log this long, then pruned by the sweep. */
export const DELIVERY_LOG_RETENTION_MS = 30 * 24 * 3600 * 1000;
/** Deliveries queued by one run of the sweep. */
const SWEEP_BATCH = 500;

let environmentSettings: WebhookSettings | null = null;

/**
 * The given settings; without them, the environment's, read once through {@link loadConfig}
 * (for callers built before they passed their configuration along).
 */
export function webhookSettings(given?: WebhookSettings): WebhookSettings {
  if (given) return given;
  environmentSettings ??= loadConfig();
  return environmentSettings;
}

/**
 * An endpoint's signing secret: HMAC-SHA256 keyed with WEBHOOK_KEY over the endpoint's id and its
 * stored random salt. Nothing secret is stored: the database alone cannot produce it, and a new
 * salt (or a new WEBHOOK_KEY) gives a new secret.
 */
export function endpointSecret(masterKey: string, endpointId: string, salt: string): string {
  const mac = createHmac('sha256', masterKey).update(`webhook-secret:${endpointId}:${salt}`);
  return `whsec_${mac.digest('base64url')}`;
}

// Addresses a production endpoint may not name literally: this host, private networks, link-local
// (cloud metadata services live there). Names that resolve to them are not checked.
const INTERNAL = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const)
  INTERNAL.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 127],
  ['::ffff:0:0', 96],
  ['fc00::', 7],
  ['fe80::', 10],
] as const)
  INTERNAL.addSubnet(net, bits, 'ipv6');

/**
 * The endpoint URL, normalised; a 422 with the path `/url` if it is not acceptable: not absolute,
 * not https in production (http is allowed elsewhere), carrying a user name, password or fragment,
 * or, in production, naming this host or a private address.
 */
export function checkWebhookUrl(raw: string, production: boolean): string {
  const refuse = (message: string) =>
    new ValidationError('the webhook URL is not acceptable', [{ path: '/url', message }]);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refuse('must be an absolute URL');
  }
  if (production ? url.protocol !== 'https:' : !['http:', 'https:'].includes(url.protocol))
    throw refuse(production ? 'must use https' : 'must use http or https');
  if (url.username || url.password) throw refuse('must not carry a user name or password');
  if (url.hash) throw refuse('must not have a fragment');
  if (production) {
    const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    const family = isIP(host);
    if (
      host === 'localhost' ||
      host.endsWith('.localhost') ||
      (family !== 0 && INTERNAL.check(host, family === 4 ? 'ipv4' : 'ipv6'))
    )
      throw refuse('must be a public address');
  }
  return url.toString();
}

/** An endpoint as its organisation reads it: never the secret or its salt. */
export function webhookView(d: WebhookDoc) {
  return {
    id: d._id.toHexString(),
    organisationId: d.organisationId.toHexString(),
    url: d.url,
    description: d.description ?? '',
    events: [...d.events] as EventType[],
    enabled: !d.disabledAt,
    disabledAt: d.disabledAt ? d.disabledAt.toISOString() : null,
    disabledReason: d.disabledReason ?? null,
    consecutiveFailures: d.consecutiveFailures ?? 0,
    lastDeliveredAt: d.lastDeliveredAt ? d.lastDeliveredAt.toISOString() : null,
    createdAt: d.createdAt.toISOString(),
  };
}

/** A delivery as its log shows it. */
export function deliveryView(d: WebhookDeliveryDoc) {
  return {
    id: d._id.toHexString(),
    event: { id: d.eventId.toHexString(), type: d.eventType },
    status: d.status as DeliveryStatus,
    attempts: d.attempts.map((a) => ({
      at: a.at.toISOString(),
      httpStatus: a.httpStatus ?? null,
      error: a.error ?? null,
      durationMs: a.durationMs,
    })),
    createdAt: d.createdAt.toISOString(),
    completedAt: d.completedAt ? d.completedAt.toISOString() : null,
    note: d.note ?? null,
  };
}

/**
 * An endpoint the caller may see: its organisation's, or any for platform keys. Another
 * organisation's endpoint, or a deleted one, answers 404 exactly as a missing one does.
 */
async function endpointFor(caller: AuthContext, id: string): Promise<WebhookDoc> {
  const doc = await Webhook.findById(new Types.ObjectId(id)).lean<WebhookDoc>();
  if (
    !doc ||
    doc.deletedAt ||
    (caller.role !== 'platform' && doc.organisationId.toHexString() !== caller.organisationId)
  )
    throw new NotFoundError('webhook');
  return doc;
}

export interface NewWebhook {
  url: string;
  events: EventType[];
  description?: string;
}

/**
 * Registers an endpoint of the caller's organisation. The returned `secret` is the only time it
 * is shown; afterwards it is derived again from WEBHOOK_KEY whenever a request is signed.
 */
export async function createWebhook(caller: AuthContext, body: NewWebhook, settings?: WebhookSettings) {
  const cfg = webhookSettings(settings);
  if (!caller.organisationId) throw new ForbiddenError('webhooks belong to an organisation');
  const url = checkWebhookUrl(body.url, cfg.nodeEnv === 'production');
  const organisationId = new Types.ObjectId(caller.organisationId);
  if ((await Webhook.countDocuments({ organisationId, deletedAt: null })) >= MAX_WEBHOOKS_PER_ORGANISATION)
    throw new ConflictError(
      `an organisation has at most ${MAX_WEBHOOKS_PER_ORGANISATION} webhooks; delete one first`,
      'TOO_MANY_WEBHOOKS',
    );
  const id = new Types.ObjectId();
  const secretSalt = randomBytes(16).toString('hex');
  const doc = await Webhook.create({
    _id: id,
    organisationId,
    url,
    description: body.description ?? '',
    events: [...new Set(body.events)],
    secretSalt,
    countFailuresFrom: new Date(),
  });
  return {
    ...webhookView(doc.toObject() as WebhookDoc),
    secret: endpointSecret(cfg.webhookKey, id.toHexString(), secretSalt),
  };
}

/** The caller organisation's endpoints (platform: every organisation's), a page at a time. */
export async function listWebhooks(caller: AuthContext, page: { limit: number; cursor?: string }) {
  const scope =
    caller.role === 'platform' ? {} : { organisationId: new Types.ObjectId(caller.organisationId!) };
  const docs = await Webhook.find({ ...scope, deletedAt: null, ...afterCursor(page.cursor) })
    .sort({ _id: 1 })
    .limit(page.limit + 1)
    .lean<WebhookDoc[]>();
  return toPage(docs, page.limit, webhookView);
}

/** One endpoint. */
export async function getWebhook(caller: AuthContext, id: string) {
  return webhookView(await endpointFor(caller, id));
}

/** Deletes an endpoint: nothing more is sent to it, and its pending deliveries are skipped. */
export async function deleteWebhook(caller: AuthContext, id: string): Promise<void> {
  const doc = await endpointFor(caller, id);
  await Webhook.updateOne({ _id: doc._id }, { $set: { deletedAt: new Date() } });
}

/** Enables an endpoint again and starts its count of failures in a row afresh. */
export async function enableWebhook(caller: AuthContext, id: string) {
  const doc = await endpointFor(caller, id);
  await Webhook.updateOne(
    { _id: doc._id },
    {
      $set: { disabledAt: null, disabledReason: null, consecutiveFailures: 0, countFailuresFrom: new Date() },
    },
  );
  return getWebhook(caller, id);
}

/** An endpoint's delivery log, newest first, a page at a time. */
export async function listDeliveries(
  caller: AuthContext,
  id: string,
  page: { limit: number; cursor?: string },
) {
  const endpoint = await endpointFor(caller, id);
  const before = page.cursor ? { _id: { $lt: new Types.ObjectId(page.cursor) } } : {};
  const docs = await WebhookDelivery.find({ endpointId: endpoint._id, ...before }, { body: 0 })
    .sort({ _id: -1 })
    .limit(page.limit + 1)
    .lean<WebhookDeliveryDoc[]>();
  return toPage(docs, page.limit, deliveryView);
}

/** Queues the job of one delivery; its id is the delivery's, so it is queued once at a time. */
function enqueueDelivery(queues: Queues, deliveryId: Types.ObjectId, settings: WebhookSettings) {
  return queues.enqueue(
    JobName.webhookDelivery,
    { deliveryId: deliveryId.toHexString() },
    {
      jobId: deliveryJobId(deliveryId),
      backoff: { type: 'exponential', delay: settings.webhookRetryDelayMs },
    },
  );
}

const deliveryJobId = (deliveryId: Types.ObjectId) => `webhook-${deliveryId.toHexString()}`;

const toObjectIds = (ids: string[]) =>
  [...new Set(ids)].filter((id) => /^[a-f0-9]{24}$/.test(id)).map((id) => new Types.ObjectId(id));

/**
 * The event sink that feeds webhooks. `emit` finds the enabled endpoints of the event's
 * organisations subscribed to its type, stores one pending delivery per endpoint (the outbox: the
 * body is fixed now) and queues one delivery job per delivery.
 *
 * It never throws: a failure is logged and the caller carries on. While Redis is down
 * (`queues.connected()` is false) or a job cannot be queued, the delivery stays pending without a
 * job; the `webhook-sweep` job queues it later (this sink also asks for a sweep at its next event
 * once Redis is back). While MongoDB is down the event is lost, and logged.
 */
export function createEventSink(deps: {
  queues: Queues;
  logger: Logger;
  config?: WebhookSettings;
}): EventSink {
  // Deliveries this sink stored without a job; the next event that finds Redis up asks for a sweep.
  let backlog = false;

  async function record(event: DomainEvent): Promise<void> {
    const settings = webhookSettings(deps.config);
    const organisationIds = toObjectIds(event.organisationIds);
    if (!organisationIds.length) return;
    const endpoints = await Webhook.find(
      { organisationId: { $in: organisationIds }, events: event.type, disabledAt: null, deletedAt: null },
      { _id: 1, organisationId: 1 },
    ).lean<Pick<WebhookDoc, '_id' | 'organisationId'>[]>();
    if (!endpoints.length) return;

    const eventId = new Types.ObjectId();
    const createdAt = new Date();
    const body = JSON.stringify({
      id: eventId.toHexString(),
      type: event.type,
      createdAt: createdAt.toISOString(),
      data: event.data,
    });
    const queued = deps.queues.connected();
    const deliveries = endpoints.map((e) => ({
      _id: new Types.ObjectId(),
      endpointId: e._id,
      organisationId: e.organisationId,
      eventId,
      eventType: event.type,
      body,
      queuedAt: queued ? createdAt : null,
    }));
    await WebhookDelivery.insertMany(deliveries);
    if (!queued) {
      backlog = true;
      deps.logger.warn(
        { type: event.type, deliveries: deliveries.length },
        'Redis is down: webhook deliveries wait for the sweep',
      );
      return;
    }
    if (backlog) {
      backlog = false;
      await deps.queues.enqueue(JobName.webhookSweep, {}).catch(() => {
        backlog = true;
      });
    }
    await Promise.all(
      deliveries.map(async (d) => {
        try {
          await enqueueDelivery(deps.queues, d._id, settings);
        } catch (err) {
          backlog = true;
          deps.logger.warn(
            { err: (err as Error).message, deliveryId: d._id.toHexString() },
            'webhook delivery not queued; the sweep will',
          );
          await WebhookDelivery.updateOne({ _id: d._id }, { $set: { queuedAt: null } }).catch(
            () => undefined,
          );
        }
      }),
    );
  }

  return {
    async emit(event) {
      try {
        await record(event);
      } catch (err) {
        deps.logger.error({ err, type: event.type }, 'webhook event not recorded');
      }
    },
  };
}

/** What one run of the delivery job did. */
export interface DeliveryOutcome {
  status: DeliveryStatus | 'missing';
  httpStatus?: number | null;
}

/** One POST: its HTTP status, or why there was none. Never throws. */
async function post(url: string, headers: Record<string, string>, body: string): Promise<DeliveryAttempt> {
  const at = new Date();
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'User-Agent': 'TenantVoice-Webhooks/1', ...headers },
      body,
      // A redirect could lead anywhere, also inside the network; it counts as a failure.
      redirect: 'manual',
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
    });
    await res.body?.cancel().catch(() => undefined);
    const redirected = res.status >= 300 && res.status < 400;
    return {
      at,
      httpStatus: res.status,
      error: redirected ? 'redirects are not followed' : null,
      durationMs: elapsed(),
    };
  } catch (err) {
    return { at, httpStatus: null, error: describeFailure(err), durationMs: elapsed() };
  }
}

function describeFailure(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError') return `no answer within ${DELIVERY_TIMEOUT_MS / 1000} s`;
  const cause = e?.cause?.code ?? e?.cause?.message;
  return `${e?.message ?? 'request failed'}${cause ? `: ${cause}` : ''}`.slice(0, 300);
}

const succeeded = (a: DeliveryAttempt) => !!a.httpStatus && a.httpStatus >= 200 && a.httpStatus < 300;
const reasonOf = (a: DeliveryAttempt) => a.error ?? `HTTP ${a.httpStatus}`;

/**
 * The delivery job: sends one delivery, re-read from MongoDB (the job carries only its id).
 * A 2xx marks it delivered. Any other answer, or none within {@link DELIVERY_TIMEOUT_MS}, is
 * logged as an attempt and thrown as a {@link DeliveryAttemptError}, so BullMQ retries it with
 * backoff; the last of {@link WEBHOOK_ATTEMPTS} marks it failed. A delivery whose endpoint was
 * disabled or deleted meanwhile is marked skipped and not sent. After each delivered or failed
 * delivery the endpoint's failures in a row are counted again from its log, and reaching
 * WEBHOOK_MAX_FAILURES disables it.
 */
export async function deliverWebhook(
  deliveryId: string,
  deps: { logger: Logger; config?: WebhookSettings },
): Promise<DeliveryOutcome> {
  const settings = webhookSettings(deps.config);
  const delivery = await WebhookDelivery.findById(new Types.ObjectId(deliveryId)).lean<WebhookDeliveryDoc>();
  if (!delivery) return { status: 'missing' };
  // A retry of a job that already finished its delivery (or a sweep's second job) sends nothing.
  if (delivery.status !== 'pending') return { status: delivery.status as DeliveryStatus };

  const endpoint = await Webhook.findById(delivery.endpointId).lean<WebhookDoc>();
  if (!endpoint || endpoint.deletedAt || endpoint.disabledAt) {
    const note = !endpoint || endpoint.deletedAt ? 'the endpoint was deleted' : 'the endpoint is disabled';
    await WebhookDelivery.updateOne(
      { _id: delivery._id, status: 'pending' },
      { $set: { status: 'skipped', completedAt: new Date(), note } },
    );
    return { status: 'skipped' };
  }

  const attemptsSoFar = delivery.attempts.length;
  if (attemptsSoFar >= WEBHOOK_ATTEMPTS) {
    // Every attempt is logged but the delivery was never closed (the job died in between).
    const last = delivery.attempts[attemptsSoFar - 1];
    await finish(delivery, 'failed', last ? reasonOf(last) : 'no attempts left', null);
    await settleFailures(endpoint._id, settings, deps.logger);
    return { status: 'failed' };
  }

  const timestamp = Math.floor(Date.now() / 1000);
  const secret = endpointSecret(settings.webhookKey, endpoint._id.toHexString(), endpoint.secretSalt);
  const headers = signatureHeaders(secret, {
    deliveryId: delivery._id.toHexString(),
    eventType: delivery.eventType,
    timestamp,
    body: delivery.body,
  });
  const attempt = await post(endpoint.url, headers, delivery.body);

  if (succeeded(attempt)) {
    await finish(delivery, 'delivered', null, attempt);
    await Webhook.updateOne({ _id: endpoint._id }, { $set: { lastDeliveredAt: attempt.at } });
    await settleFailures(endpoint._id, settings, deps.logger);
    return { status: 'delivered', httpStatus: attempt.httpStatus };
  }
  if (attemptsSoFar + 1 >= WEBHOOK_ATTEMPTS) {
    const note = `all ${WEBHOOK_ATTEMPTS} attempts failed; the last: ${reasonOf(attempt)}`;
    await finish(delivery, 'failed', note, attempt);
    await settleFailures(endpoint._id, settings, deps.logger);
    throw new UnrecoverableError(`webhook delivery ${deliveryId} failed: ${note}`);
  }
  await WebhookDelivery.updateOne({ _id: delivery._id }, { $push: { attempts: attempt } });
  throw new DeliveryAttemptError(deliveryId, reasonOf(attempt));
}

async function finish(
  delivery: WebhookDeliveryDoc,
  status: 'delivered' | 'failed',
  note: string | null,
  attempt: DeliveryAttempt | null,
): Promise<void> {
  await WebhookDelivery.updateOne(
    { _id: delivery._id },
    {
      $set: { status, completedAt: attempt?.at ?? new Date(), note },
      ...(attempt ? { $push: { attempts: attempt } } : {}),
    },
  );
}

/**
 * Counts the endpoint's failed deliveries in a row from its log (the newest finished ones since it
 * was created or enabled again) and disables it when they reach WEBHOOK_MAX_FAILURES. Counting from
 * the log rather than incrementing keeps the number right when deliveries finish concurrently or a
 * job runs twice.
 */
async function settleFailures(endpointId: Types.ObjectId, settings: WebhookSettings, logger: Logger) {
  const endpoint = await Webhook.findById(endpointId).lean<WebhookDoc>();
  if (!endpoint) return;
  const recent = await WebhookDelivery.find(
    {
      endpointId,
      status: { $in: ['delivered', 'failed'] },
      completedAt: { $gte: endpoint.countFailuresFrom },
    },
    { status: 1, note: 1 },
  )
    .sort({ completedAt: -1, _id: -1 })
    .limit(settings.webhookMaxFailures)
    .lean<Pick<WebhookDeliveryDoc, '_id' | 'status' | 'note'>[]>();
  let failures = 0;
  while (failures < recent.length && recent[failures]!.status === 'failed') failures++;
  await Webhook.updateOne({ _id: endpointId }, { $set: { consecutiveFailures: failures } });
  if (failures < settings.webhookMaxFailures || endpoint.disabledAt || endpoint.deletedAt) return;
  const reason = `${failures} deliveries in a row failed; the last: ${recent[0]?.note ?? 'unknown'}`;
  await Webhook.updateOne(
    { _id: endpointId, disabledAt: null },
    { $set: { disabledAt: new Date(), disabledReason: reason.slice(0, 500) } },
  );
  logger.warn({ webhookId: endpointId.toHexString(), failures }, 'webhook endpoint disabled');
}

/**
 * How long a queued delivery may stay pending before the sweep queues it again: its whole retry
 * schedule, every attempt timing out, and ten minutes to spare.
 */
export function staleAfterMs(settings: Pick<WebhookSettings, 'webhookRetryDelayMs'>): number {
  const backoff = settings.webhookRetryDelayMs * (2 ** (WEBHOOK_ATTEMPTS - 1) - 1);
  return backoff + WEBHOOK_ATTEMPTS * DELIVERY_TIMEOUT_MS + 10 * 60 * 1000;
}

/**
 * The sweep job: queues pending deliveries that have no job (stored while Redis was down, or
 * whose job was lost with Redis's data), oldest first, and prunes finished deliveries older than
 * {@link DELIVERY_LOG_RETENTION_MS}. Without `queues` it only prunes.
 */
export async function sweepWebhookDeliveries(deps: {
  logger: Logger;
  queues?: Queues;
  config?: WebhookSettings;
}): Promise<{ queued: number; pruned: number }> {
  const settings = webhookSettings(deps.config);
  const now = Date.now();
  let queued = 0;
  if (deps.queues) {
    const staleBefore = new Date(now - staleAfterMs(settings));
    const waiting = await WebhookDelivery.find(
      { status: 'pending', $or: [{ queuedAt: null }, { queuedAt: { $lt: staleBefore } }] },
      { _id: 1 },
    )
      .sort({ _id: 1 })
      .limit(SWEEP_BATCH)
      .lean<Pick<WebhookDeliveryDoc, '_id'>[]>();
    for (const { _id } of waiting) {
      // A job that gave up (MongoDB was down through its attempts) would keep the id taken.
      const old = await deps.queues.aggregation.getJob(deliveryJobId(_id));
      if (old && (await old.isFailed())) await old.remove();
      await enqueueDelivery(deps.queues, _id, settings);
      await WebhookDelivery.updateOne({ _id }, { $set: { queuedAt: new Date() } });
      queued++;
    }
  } else {
    deps.logger.warn('webhook sweep without a queue: pending deliveries are not queued');
  }
  const { deletedCount } = await WebhookDelivery.deleteMany({
    status: { $ne: 'pending' },
    createdAt: { $lt: new Date(now - DELIVERY_LOG_RETENTION_MS) },
  });
  return { queued, pruned: deletedCount };
}
