import type { Queue, Worker } from 'bullmq';
import { createLogger } from '../../src/logger';
import { startAggregationWorker } from '../../workers/aggregation.worker';
import { createJobHandlers } from '../../workers/handlers';
import type { TestContext } from './harness';

/** An in-process aggregation worker on the test's own queue prefix. */
export function startTestWorker(ctx: TestContext): Worker {
  const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  return startAggregationWorker({
    redisUrl: ctx.runtime.redisUrl,
    prefix: ctx.config.queuePrefix,
    concurrency: 2,
    lockMs: 5000,
    logger,
    handlers: createJobHandlers({ queues: ctx.runtime.queues, logger }),
  });
}

/** Waits until the queue has nothing waiting, delayed or active (twice in a row); returns failed count. */
export async function drain(queue: Queue, timeoutMs = 120_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let quiet = 0;
  while (Date.now() < deadline) {
    const c = await queue.getJobCounts(
      'waiting',
      'active',
      'delayed',
      'prioritized',
      'waiting-children',
      'failed',
    );
    const busy =
      (c.waiting ?? 0) +
      (c.active ?? 0) +
      (c.delayed ?? 0) +
      (c.prioritized ?? 0) +
      (c['waiting-children'] ?? 0);
    quiet = busy === 0 ? quiet + 1 : 0;
    if (quiet >= 2) return c.failed ?? 0;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error('the aggregation queue did not drain in time');
}
