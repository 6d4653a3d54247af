import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { AGGREGATION_QUEUE, JOBS, type JobName } from './jobs';

/** The queues a producer writes to. */
export interface Queues {
  aggregation: Queue;
  /** Queues a job with its defined options (plus `extra`). */
  enqueue(name: JobName, data: Record<string, unknown>, extra?: JobsOptions): Promise<unknown>;
  /** Whether the producer connection is up right now (adding would not wait). */
  connected(): boolean;
  close(): Promise<void>;
}

/** Opens the producer side of every queue on one (fail-fast) connection. */
export function createQueues(connection: Redis, prefix: string): Queues {
  const aggregation = new Queue(AGGREGATION_QUEUE, {
    connection,
    prefix,
    defaultJobOptions: {
      attempts: 5,
      backoff: { type: 'exponential', delay: 2000 },
      removeOnComplete: { count: 1000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    },
  });
  aggregation.on('error', () => undefined);
  return {
    aggregation,
    enqueue(name, data, extra = {}) {
      const defined: JobsOptions = JOBS[name].options;
      return aggregation.add(name, data, { ...defined, ...extra });
    },
    connected: () => connection.status === 'ready',
    async close() {
      await aggregation.close();
    },
  };
}
