/** The write running last on each document in this process, which the next one waits for. */
const last = new Map<string, Promise<unknown>>();

/**
 * Runs a write on one document after every write this process started on it before. FerretDB 1.24
 * applies an update by reading the documents its filter matches and then writing each back whole,
 * with nothing between the two: two updates of one document running at once both read it, and the
 * later write takes the earlier one's change away, even when both are conditional
 * (`{_id, revision}`: both conditions held when read). One after the other, the second reads what
 * the first wrote, and a condition fails as on MongoDB. This serves a deployment that runs as one
 * process, as `npm start` does; several API processes need MongoDB.
 *
 * @param model - the document's model (its collection).
 * @param id - the document's `_id`.
 */
export async function oneWriteAtATime<T>(
  model: { collection: { collectionName: string } },
  id: { toString(): string },
  write: () => Promise<T>,
): Promise<T> {
  const doc = `${model.collection.collectionName}:${id.toString()}`;
  const before = last.get(doc);
  const mine = (before ?? Promise.resolve()).then(write);
  const settled = mine.catch(() => undefined);
  last.set(doc, settled);
  try {
    return await mine;
  } finally {
    if (last.get(doc) === settled) last.delete(doc);
  }
}
