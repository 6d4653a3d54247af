import type { Logger } from 'pino';
import {
  lockedDrain,
  lockedRebuild,
  lockedReconcile,
  methodsOutdated,
} from '../src/modules/indicators/aggregation.service';
import { METHOD_HASH_VERSION } from '../src/modules/indicators/aggregation';
import { notifyDueReviews } from '../src/modules/plans/plans.service';
import { applyRetention } from '../src/modules/responses/retention.service';
import { tidyClaims } from '../src/modules/responses/responses.service';
import {
  allWeightingUnits,
  requestReweight,
  reweightUnit,
  unitsWithMargins,
} from '../src/modules/weighting/weighted-publication';
import { reconcileReportedValues } from '../src/modules/returns/returns.service';
import { NO_EVENTS, type EventSink } from '../src/modules/webhooks/events';
import {
  createEventSink,
  deliverWebhook,
  sweepWebhookDeliveries,
  type WebhookSettings,
} from '../src/modules/webhooks/webhooks.service';
import { JobName, type JobPayload } from '../src/queue/jobs';
import type { LockRunner } from '../src/queue/lock';
import type { Queues } from '../src/queue/queues';

/** Job name → service call. Each handler receives an already validated payload. */
export type JobHandlers = { [N in JobName]: (payload: JobPayload<N>) => Promise<unknown> };

/** What the webhook jobs need besides the database. */
export interface WebhookJobDeps {
  /** WEBHOOK_KEY (to sign), the retry delay and the failures that disable an endpoint. */
  config: WebhookSettings;
  /** Where the sweep queues deliveries that have no job. */
  queues: Queues;
}

/**
 * The handlers of the aggregation queue. Drains and rebuilds take turns under one lock.
 * Without `webhooks`, the webhook jobs read the environment's configuration and the sweep only
 * prunes the delivery log.
 */
export function createJobHandlers(deps: {
  logger: Logger;
  lock: LockRunner;
  webhooks?: WebhookJobDeps;
}): JobHandlers {
  const events: EventSink = deps.webhooks
    ? createEventSink({ queues: deps.webhooks.queues, logger: deps.logger, config: deps.webhooks.config })
    : NO_EVENTS;
  // Each organisation whose published values changed hears of it once per drain and period.
  const announce = async (result: Awaited<ReturnType<typeof lockedDrain>>) => {
    for (const u of result.published)
      await events.emit({
        type: 'indicator_values.updated',
        organisationIds: [u.organisationId],
        data: { organisationId: u.organisationId, period: u.period },
      });
    // Periods with population margins are weighted again, once per burst of answers.
    for (const u of await unitsWithMargins(result.published)) {
      if (deps.webhooks?.queues.connected()) await requestReweight(deps.webhooks.queues, u);
      else await reweightUnit(u, deps.logger);
    }
    return { counted: result.counted, units: result.units, published: result.published.length };
  };
  return {
    drain: async () => announce(await lockedDrain(deps.lock, deps.logger)),
    reconcile: async () => announce(await lockedReconcile(deps.lock, deps.logger)),
    // The nightly rebuild also republishes reported figures, mending a crash between a sign-off
    // (or a reopening) and the publication that follows it.
    'full-rebuild': async () => {
      const rebuilt = await lockedRebuild(deps.lock, deps.logger);
      // The rebuild replaced every published value: the weighted figures are written again.
      let weighted = 0;
      for (const u of await allWeightingUnits()) weighted += (await reweightUnit(u, deps.logger)).values;
      return { ...rebuilt, weighted, returns: await reconcileReportedValues() };
    },
    reweight: (unit) => reweightUnit(unit, deps.logger),
    // Daily: no code's claim still names the response it was used for, a code or place taken by
    // an attempt that never stored its answers is given back, and old raw responses go. Claims
    // first: a claim still naming a response retention deletes would look abandoned.
    retention: async () => {
      const claims = await tidyClaims();
      return { ...(await applyRetention(deps.lock, deps.logger)), claims };
    },
    'webhook-delivery': ({ deliveryId }) =>
      deliverWebhook(deliveryId, { logger: deps.logger, config: deps.webhooks?.config }),
    // The events sweep: deliveries without a job, the old log, and plans whose review is due.
    'webhook-sweep': async () => ({
      deliveries: await sweepWebhookDeliveries({
        logger: deps.logger,
        queues: deps.webhooks?.queues,
        config: deps.webhooks?.config,
      }),
      reviewsDue: await notifyDueReviews(events),
    }),
  };
}

/**
 * After an upgrade that changed how method hashes are made, queues one full rebuild so that every
 * stored value carries hashes made the new way (the rebuild records it). One job id per hashing
 * version: workers starting together queue it once. Never stops a start: a failure is logged and
 * the next start tries again.
 */
export async function rebuildIfMethodsChanged(queues: Queues, logger: Logger): Promise<boolean> {
  try {
    if (!(await methodsOutdated())) return false;
    const jobId = `method-hashes-${METHOD_HASH_VERSION}`;
    // A failed one is kept for a while, and its id would make a new one a no-op.
    const failed = await queues.aggregation.getJob(jobId);
    if (failed && (await failed.isFailed())) await failed.remove();
    await queues.enqueue(JobName.fullRebuild, {}, { jobId });
    logger.info(
      { version: METHOD_HASH_VERSION },
      'method hashes are made a new way: a full rebuild is queued',
    );
    return true;
  } catch (err) {
    logger.warn(
      { err: (err as Error).message },
      'could not check the method hashes; the next start tries again',
    );
    return false;
  }
}
