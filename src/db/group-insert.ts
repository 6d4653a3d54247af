import type { mongo } from 'mongoose';
import { isDatabaseUnavailable } from './connection';

type Document = mongo.Document;

/** What became of one document given to {@link GroupInsert.insert}. */
export type InsertOutcome = 'inserted' | 'duplicate';

interface Waiting<T> {
  doc: mongo.OptionalUnlessRequiredId<T>;
  resolve: (outcome: InsertOutcome) => void;
  reject: (err: unknown) => void;
}

interface BulkWriteFailure {
  writeErrors?: Array<{ index: number; code?: number; errmsg?: string }> | { index: number; code?: number };
  insertedCount?: number;
  result?: { insertedCount?: number };
  errorResponse?: unknown;
}

/**
 * The per-document errors of an unordered bulk insert, by the document's place in the batch;
 * null unless they account for every document (together with those stored). A bulk error can
 * also wrap a failure of the whole write (the database unreachable): no write errors, nothing
 * stored, and the cause in `errorResponse`.
 */
function writeErrorsOf(err: unknown, size: number): Map<number, { code?: number; errmsg?: string }> | null {
  const e = err as BulkWriteFailure | null;
  const errors = e?.writeErrors;
  if (!errors) return null;
  const list = Array.isArray(errors) ? errors : [errors];
  const stored = e.insertedCount ?? e.result?.insertedCount;
  if (!list.length || stored === undefined || list.length + stored !== size) return null;
  return new Map(list.map((w) => [w.index, w]));
}

/** What stopped a whole write: the cause a bulk error wraps, else the error itself. */
function causeOf(err: unknown): unknown {
  const cause = (err as BulkWriteFailure | null)?.errorResponse;
  return cause instanceof Error ? cause : err;
}

/**
 * Group commit for the inserts of one collection. An insert that arrives while none is being
 * written goes to the database at once; inserts that arrive while a batch is being written wait
 * and go together in the next one (an unordered insertMany). Alone, an insert costs what
 * insertOne costs; under load the database writes many documents per round trip and per
 * transaction, which on FerretDB with SQLite costs a fraction of as many single inserts.
 *
 * Each caller learns its own document's outcome: inserted, a duplicate of a stored `_id` (or of
 * another document in the same batch), or the error that stopped it. A failure of the whole
 * write reaches every caller of that batch (as with insertOne, some of those documents may have
 * been stored, and a retry with the same `_id` finds them); when it says the database is
 * unreachable, it also reaches the callers waiting for the next batch, which would only wait as
 * long again to learn the same.
 */
export class GroupInsert<T extends Document> {
  private readonly waiting: Array<Waiting<T>> = [];
  private writing = false;

  constructor(
    private readonly collection: () => mongo.Collection<T>,
    private readonly maxBatch = 100,
  ) {}

  /** Inserts one document (its `_id` set by the caller) with the next batch. */
  insert(doc: mongo.OptionalUnlessRequiredId<T>): Promise<InsertOutcome> {
    return new Promise<InsertOutcome>((resolve, reject) => {
      this.waiting.push({ doc, resolve, reject });
      if (!this.writing) void this.writeAll();
    });
  }

  private async writeAll(): Promise<void> {
    this.writing = true;
    try {
      while (this.waiting.length) await this.write(this.waiting.splice(0, this.maxBatch));
    } finally {
      this.writing = false;
    }
  }

  private async write(batch: Array<Waiting<T>>): Promise<void> {
    try {
      await this.collection().insertMany(
        batch.map((w) => w.doc),
        { ordered: false },
      );
      for (const w of batch) w.resolve('inserted');
    } catch (err) {
      const failed = writeErrorsOf(err, batch.length);
      if (!failed) {
        const cause = causeOf(err);
        for (const w of batch) w.reject(cause);
        // The database cannot be reached: what waited behind this write would wait as long again
        // only to fail the same way, so it fails now (503 at once, not after a convoy of waits).
        if (isDatabaseUnavailable(cause)) for (const w of this.waiting.splice(0)) w.reject(cause);
        return;
      }
      batch.forEach((w, i) => {
        const e = failed.get(i);
        if (!e) w.resolve('inserted');
        else if (e.code === 11000) w.resolve('duplicate');
        else w.reject(Object.assign(new Error(e.errmsg ?? 'insert failed'), { code: e.code }));
      });
    }
  }
}
