import { UnrecoverableError, type JobsOptions } from 'bullmq';
import type { JSONSchema, FromSchema } from 'json-schema-to-ts';
import { bodyAjv, compile } from '../http/validation';

/** The one queue of aggregation work. */
export const AGGREGATION_QUEUE = 'aggregation';

const empty = { type: 'object', additionalProperties: false, properties: {} } as const;

/**
 * Attempts of one webhook delivery (the first and five retries). With the default
 * WEBHOOK_RETRY_DELAY_MS of 10 s the retries come after 10, 20, 40, 80 and 160 s.
 */
export const WEBHOOK_ATTEMPTS = 6;

/**
 * Every job, defined once: its payload schema and how it is queued. Payloads never carry answers
 * (workers read the database); the handlers are wired in workers/handlers.ts.
 */
export const JOBS = {
  /** Count the answers waiting in the inbox (queued by submissions, collapsed while waiting). */
  drain: { schema: empty, options: {} },
  /** The periodic sweep: the same as drain, on a schedule, for answers whose nudge was lost. */
  reconcile: { schema: empty, options: {} },
  /** Recount everything from the stored responses (nightly), mending any drift it finds. */
  'full-rebuild': { schema: empty, options: { attempts: 2 } },
  /**
   * Send one webhook delivery (a signed POST). A failed attempt throws, so the job is retried with
   * exponential backoff; producers set the first delay from WEBHOOK_RETRY_DELAY_MS and the job
   * id from the delivery id, so a delivery is queued once at a time.
   */
  'webhook-delivery': {
    schema: {
      type: 'object',
      additionalProperties: false,
      required: ['deliveryId'],
      properties: { deliveryId: { type: 'string', pattern: '^[a-f0-9]{24}$' } },
    },
    options: {
      attempts: WEBHOOK_ATTEMPTS,
      backoff: { type: 'exponential', delay: 10_000 },
      removeOnComplete: true,
    },
  },
  /**
   * Weight an organisation's period to its population margins and write the weighted figures
   * beside its published values (queued after its answers are counted, collapsed per unit).
   */
  reweight: {
    schema: {
      type: 'object',
      additionalProperties: false,
      required: ['organisationId', 'period'],
      properties: {
        organisationId: { type: 'string', pattern: '^[a-f0-9]{24}$' },
        period: { type: 'string', maxLength: 16 },
      },
    },
    options: { removeOnComplete: true },
  },
  /** Delete raw responses older than each organisation's retention setting (daily); aggregates stay. */
  retention: { schema: empty, options: { removeOnComplete: true } },
  /** Queue webhook deliveries that have no job (raised while Redis was down), and prune the old log. */
  'webhook-sweep': { schema: empty, options: { removeOnComplete: true } },
} as const satisfies Record<string, { schema: JSONSchema; options: JobsOptions }>;

export type JobName = keyof typeof JOBS;
export const JobName = {
  drain: 'drain',
  reconcile: 'reconcile',
  fullRebuild: 'full-rebuild',
  webhookDelivery: 'webhook-delivery',
  webhookSweep: 'webhook-sweep',
  reweight: 'reweight',
  retention: 'retention',
} as const satisfies Record<string, JobName>;

/** Typed payload of a job. */
export type JobPayload<N extends JobName> = FromSchema<(typeof JOBS)[N]['schema']>;

/**
 * Parses a payload before a handler runs; a malformed payload can never succeed on retry,
 * so it is an {@link UnrecoverableError}.
 */
export function assertPayload(name: JobName, data: unknown): void {
  const validate = compile(bodyAjv, JOBS[name].schema);
  if (!validate(data)) {
    throw new UnrecoverableError(`invalid ${name} payload: ${bodyAjv.errorsText(validate.errors)}`);
  }
}
