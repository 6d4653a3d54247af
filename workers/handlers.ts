import type { Logger } from 'pino';
import { fullRebuild, reconcile, recomputeBucket } from '../src/modules/indicators/aggregation.service';
import type { JobName, JobPayload } from '../src/queue/jobs';
import type { LockRunner } from '../src/queue/lock';
import type { Queues } from '../src/queue/queues';

/** Job name → service call. Each handler receives an already validated payload. */
export type JobHandlers = { [N in JobName]: (payload: JobPayload<N>) => Promise<unknown> };

/** The handlers of the aggregation queue; reconcile needs a producer to queue buckets. */
export function createJobHandlers(deps: { queues: Queues; logger: Logger; lock: LockRunner }): JobHandlers {
  return {
    'recompute-bucket': (p) => recomputeBucket(p, { logger: deps.logger, lock: deps.lock }),
    reconcile: () => reconcile(deps).then((buckets) => ({ buckets: buckets.length })),
    'full-rebuild': () => fullRebuild(deps.logger),
  };
}
