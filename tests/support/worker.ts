import type { Queue, Worker } from 'bullmq';
import { createLogger } from '../../src/logger';
import { redisLock } from '../../src/queue/lock';
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
    handlers: createJobHandlers({
      logger,
      lock: redisLock(ctx.runtime.redis, ctx.config.queuePrefix),
      webhooks: { config: ctx.config, queues: ctx.runtime.queues },
    }),
  });
}

/**
 * Waits until the queue has nothing waiting, delayed or active (twice in a row); returns the
 * failed count. The next run of a recurring job (reconcile, nightly rebuild) always waits
 * delayed in the queue, so jobs of a scheduler do not count.
 */
export async function drain(queue: Queue, timeoutMs = 120_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let quiet = 0;
  let last = '';
  while (Date.now() < deadline) {
    const c = await queue.getJobCounts('waiting', 'active', 'prioritized', 'waiting-children', 'failed');
    const delayed = (await queue.getDelayed()).filter((j) => !j.repeatJobKey).length;
    const busy =
      (c.waiting ?? 0) + (c.active ?? 0) + (c.prioritized ?? 0) + (c['waiting-children'] ?? 0) + delayed;
    last = JSON.stringify({ ...c, delayed });
    quiet = busy === 0 ? quiet + 1 : 0;
    if (quiet >= 2) return c.failed ?? 0;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`the aggregation queue did not drain in time: ${last}`);
}
