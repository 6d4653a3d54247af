/**
 * Runs an upsert by key, once more if it met a duplicate key. Two first upserts of the same key
 * at once: one inserts, the other's insert meets the key. MongoDB retries that case itself;
 * FerretDB does not. The document exists by then, so the second attempt updates it.
 */
export async function upsertRetrying<T>(upsert: () => Promise<T>): Promise<T> {
  try {
    return await upsert();
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    return upsert();
  }
}

/** A duplicate-key error, alone or inside a bulk write's errors. */
export function isDuplicateKey(err: unknown): boolean {
  const e = err as { code?: number; writeErrors?: Array<{ code?: number }> } | null;
  if (e?.code === 11000) return true;
  return (
    Array.isArray(e?.writeErrors) && e.writeErrors.length > 0 && e.writeErrors.every((w) => w.code === 11000)
  );
}
