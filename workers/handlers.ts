import type { Logger } from 'pino';
import { lockedDrain, lockedRebuild } from '../src/modules/indicators/aggregation.service';
import { reconcileReportedValues } from '../src/modules/returns/returns.service';
import type { JobName, JobPayload } from '../src/queue/jobs';
import type { LockRunner } from '../src/queue/lock';

/** Job name → service call. Each handler receives an already validated payload. */
export type JobHandlers = { [N in JobName]: (payload: JobPayload<N>) => Promise<unknown> };

/** The handlers of the aggregation queue. Drains and rebuilds take turns under one lock. */
export function createJobHandlers(deps: { logger: Logger; lock: LockRunner }): JobHandlers {
  return {
    drain: () => lockedDrain(deps.lock, deps.logger),
    reconcile: () => lockedDrain(deps.lock, deps.logger),
    // The nightly rebuild also republishes reported figures, mending a crash between a sign-off
    // (or a reopening) and the publication that follows it.
    'full-rebuild': async () => ({
      ...(await lockedRebuild(deps.lock, deps.logger)),
      returns: await reconcileReportedValues(),
    }),
  };
}
