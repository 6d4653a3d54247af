import { UnrecoverableError, type JobsOptions } from 'bullmq';
import type { JSONSchema, FromSchema } from 'json-schema-to-ts';
import { bodyAjv, compile } from '../http/validation';

/** The one queue of aggregation work. */
export const AGGREGATION_QUEUE = 'aggregation';

const empty = { type: 'object', additionalProperties: false, properties: {} } as const;

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
} as const satisfies Record<string, { schema: JSONSchema; options: JobsOptions }>;

export type JobName = keyof typeof JOBS;
export const JobName = {
  drain: 'drain',
  reconcile: 'reconcile',
  fullRebuild: 'full-rebuild',
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
