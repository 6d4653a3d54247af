import { upsertRetrying } from './upsert';

/**
 * Statements of one bulk update sent at once. FerretDB 1.24 on PostgreSQL holds a PostgreSQL
 * connection for every statement of an `update` command that changes an existing document until
 * the whole command ends, from a pool of 50: one command of 50 such statements, or four of 20 at
 * once, waits for a connection none of them will give back, and from then on the server answers
 * nothing at all, to anyone (measured on this project's FerretDB). Sixteen at a time, one command
 * at a time per process, keeps the API and the worker together far below that.
 */
export const UPDATE_BATCH = 16;

/** The bulk update this process has in flight: the next one waits for it. */
let inFlight: Promise<unknown> = Promise.resolve();

function oneAtATime<T>(write: () => Promise<T>): Promise<T> {
  const run = inFlight.then(write, write);
  inFlight = run.catch(() => undefined);
  return run;
}

/** A bulk write, as the driver's collections and mongoose's models both offer it. */
interface BulkWritable<Op> {
  bulkWrite(ops: Op[], options: { ordered: boolean }): Promise<unknown>;
}

/**
 * Writes updates, replacements and upserts by key in batches of {@link UPDATE_BATCH}, one batch
 * of this process at a time; a batch that met a duplicate key (two first upserts of one key at
 * once) is sent once more. Unordered within a batch.
 */
export async function bulkUpdate<Op>(collection: BulkWritable<Op>, ops: Op[]): Promise<void> {
  for (let i = 0; i < ops.length; i += UPDATE_BATCH) {
    const batch = ops.slice(i, i + UPDATE_BATCH);
    await oneAtATime(() => upsertRetrying(() => collection.bulkWrite(batch, { ordered: false })));
  }
}
