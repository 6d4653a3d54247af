import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { AGGREGATION_QUEUE } from './jobs';

/** The queues a producer writes to. */
export interface Queues {
  aggregation: Queue;
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
    async close() {
      await aggregation.close();
    },
  };
}
