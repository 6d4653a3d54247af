import { Types } from 'mongoose';
import { SharedCache } from '../../shared-cache';
import { ReportedValue, type ReportedValueDoc } from './data-return.model';

/**
 * How long another process's sign-off may take to show in this one's benchmarks. This process's
 * own sign-offs and reopenings show at once ({@link forgetReportedValues}).
 */
export const REPORTED_VALUES_TTL_MS = 2000;
const cache = new SharedCache<ReportedValueDoc[]>(2000);

/**
 * A group's signed-off values of one figure, every period. Kept for a moment and shared by the
 * readers that arrive meanwhile: on FerretDB's SQLite backend each read scans the collection, so
 * a benchmark under load costs one scan per figure every {@link REPORTED_VALUES_TTL_MS}, not one
 * per request.
 */
export function groupFigureValues(groupId: string, indicatorId: string): Promise<ReportedValueDoc[]> {
  return cache.forMs(`${groupId}|${indicatorId}`, REPORTED_VALUES_TTL_MS, () =>
    ReportedValue.find({ groupId: new Types.ObjectId(groupId), indicatorId })
      .lean<ReportedValueDoc[]>()
      .exec(),
  );
}

/** Drops what {@link groupFigureValues} keeps (after a publication changed values). */
export function forgetReportedValues(): void {
  cache.clear();
}
