import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { createRedis } from '../src/queue/connections';
import { AGGREGATION_QUEUE, assertPayload, type JobName } from '../src/queue/jobs';
import type { JobHandlers } from './handlers';

/** Options of the aggregation worker. */
export interface AggregationWorkerOptions {
  redisUrl: string;
  /** BullMQ key prefix; must match the producers'. */
  prefix: string;
  concurrency: number;
  /** Lock of an active job; a worker that dies holding it loses the job after this long. */
  lockMs: number;
  logger: Logger;
  handlers: JobHandlers;
}

/**
 * Starts the aggregation worker on its own blocking connection. It only parses the
 * payload and calls the service; all logic lives in src/modules.
 */
export function startAggregationWorker(opts: AggregationWorkerOptions): Worker {
  const connection = createRedis(opts.redisUrl, 'worker');
  const worker = new Worker(
    AGGREGATION_QUEUE,
    async (job: Job) => {
      const name = job.name as JobName;
      const handler = opts.handlers[name] as ((payload: unknown) => Promise<unknown>) | undefined;
      if (!handler) throw new UnrecoverableError(`no handler for job "${job.name}"`);
      assertPayload(name, job.data);
      return handler(job.data);
    },
    {
      connection,
      prefix: opts.prefix,
      concurrency: opts.concurrency,
      lockDuration: opts.lockMs,
      stalledInterval: opts.lockMs,
      autorun: true,
    },
  );
  worker.on('error', (err) => opts.logger.error({ err }, 'worker connection error'));
  worker.on('failed', (job, err) =>
    opts.logger.warn(
      { jobId: job?.id, name: job?.name, attempts: job?.attemptsMade, err: err.message },
      'job failed',
    ),
  );
  worker.on('closed', () => connection.disconnect());
  return worker;
}
