import type { Config } from '../config';
import { JobName } from './jobs';
import type { Queues } from './queues';

/** How often reconcile looks for responses no recompute has read. */
export const RECONCILE_EVERY_MS = 5 * 60 * 1000;

/**
 * Registers the recurring jobs (idempotent: re-registering replaces the schedule): the full
 * rebuild on its cron in its time zone, and reconcile every few minutes.
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
}
