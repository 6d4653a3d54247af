import { UnrecoverableError } from 'bullmq';
import type { JSONSchema, FromSchema } from 'json-schema-to-ts';
import { bodyAjv, compile } from '../http/validation';

/** The one queue of aggregation work. */
export const AGGREGATION_QUEUE = 'aggregation';

/** Job names; payloads carry ids only, never answers (workers re-read MongoDB). */
export const JobName = {
  recomputeBucket: 'recompute-bucket',
  reconcile: 'reconcile',
  fullRebuild: 'full-rebuild',
} as const;
export type JobName = (typeof JobName)[keyof typeof JobName];

const id = { type: 'string', pattern: '^[a-f0-9]{24}$' } as const;

/** Payload schemas per job name. */
export const jobSchemas = {
  [JobName.recomputeBucket]: {
    type: 'object',
    additionalProperties: false,
    required: ['organisationId', 'surveyId', 'period', 'segment'],
    properties: {
      organisationId: id,
      surveyId: id,
      period: { type: 'string', minLength: 1, maxLength: 32 },
      segment: { type: 'string', maxLength: 128 },
    },
  },
  [JobName.reconcile]: { type: 'object', additionalProperties: false, properties: {} },
  [JobName.fullRebuild]: { type: 'object', additionalProperties: false, properties: {} },
} as const satisfies Record<JobName, JSONSchema>;

/** Typed payload of a job. */
export type JobPayload<N extends JobName> = FromSchema<(typeof jobSchemas)[N]>;

/**
 * Parses a payload before a handler runs; a malformed payload can never succeed on retry,
 * so it is an {@link UnrecoverableError}.
 */
export function assertPayload(name: JobName, data: unknown): void {
  const validate = compile(bodyAjv, jobSchemas[name]);
  if (!validate(data)) {
    throw new UnrecoverableError(`invalid ${name} payload: ${bodyAjv.errorsText(validate.errors)}`);
  }
}

/** Jobs of one bucket collapse into one while they wait: the id is the bucket. */
export function bucketJobId(p: JobPayload<'recompute-bucket'>): string {
  return ['bucket', p.organisationId, p.surveyId, p.period, p.segment || '-']
    .map(encodeURIComponent)
    .join(':');
}
