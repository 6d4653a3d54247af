import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { JobName } from './jobs';
import type { Queues } from './queues';

/** How often the leftover-answer sweep runs (answers whose nudge was lost, e.g. Redis was down). */
export const RECONCILE_EVERY_MS = 30 * 1000;

/** How often the events sweep runs: webhook deliveries left without a job, plan reviews due. */
export const EVENTS_SWEEP_EVERY_MS = 60 * 1000;

/** How often the schedules are re-registered even without a reconnection being seen. */
const KEEP_EVERY_MS = 60 * 1000;

/**
 * Registers the recurring jobs (idempotent: re-registering replaces the schedule): the full
 * rebuild on its cron in its time zone, retention daily at 04:00 in the same zone, reconcile every
 * half minute, the events sweep every minute.
 */
export async function scheduleRecurringJobs(
  queues: Queues,
  config: Pick<Config, 'rebuildCron' | 'rebuildTimezone'>,
): Promise<void> {
  await queues.aggregation.upsertJobScheduler(
    'scheduled-full-rebuild',
    { pattern: config.rebuildCron, tz: config.rebuildTimezone },
    { name: JobName.fullRebuild, data: {} },
  );
  await queues.aggregation.upsertJobScheduler(
    'scheduled-reconcile',
    { every: RECONCILE_EVERY_MS },
    { name: JobName.reconcile, data: {} },
  );
  // Retention runs an hour after the rebuild's default time, in the same time zone.
  await queues.aggregation.upsertJobScheduler(
    'scheduled-retention',
    { pattern: '0 4 * * *', tz: config.rebuildTimezone },
    { name: JobName.retention, data: {} },
  );
  await queues.aggregation.upsertJobScheduler(
    'scheduled-webhook-sweep',
    { every: EVENTS_SWEEP_EVERY_MS },
    { name: JobName.webhookSweep, data: {} },
  );
}

/**
 * Keeps the recurring jobs registered for as long as the process runs. Schedules live in Redis:
 * a Redis restarted without its data (no persistence, a failover, a flush) forgets them, and
 * answers stored afterwards would never be swept into the indicators. So they are registered
 * again whenever the producer connection becomes ready again, and every minute regardless.
 *
 * @param everyMs - how often they are registered regardless (a flush leaves the connection up)
 * @returns a function that stops the keeping (at shutdown)
 */
export async function keepRecurringJobs(
  queues: Queues,
  connection: Redis,
  config: Pick<Config, 'rebuildCron' | 'rebuildTimezone'>,
  logger: Logger,
  everyMs = KEEP_EVERY_MS,
): Promise<() => void> {
  await scheduleRecurringJobs(queues, config);
  const again = () => {
    scheduleRecurringJobs(queues, config).catch((err: unknown) =>
      logger.warn({ err: (err as Error).message }, 'recurring jobs not registered; trying again later'),
    );
  };
  const onReady = () => {
    logger.info('Redis connection ready again: registering the recurring jobs');
    again();
  };
  connection.on('ready', onReady);
  const timer = setInterval(again, everyMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    connection.off('ready', onReady);
  };
}
