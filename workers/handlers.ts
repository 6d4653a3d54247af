import type { JobName, JobPayload } from '../src/queue/jobs';

/** Job name → service call. Each handler receives an already validated payload. */
export const jobHandlers: { [N in JobName]?: (payload: JobPayload<N>) => Promise<unknown> } = {};
