/**
 * Answers kept until a change stamp moves, at most `limit` of them (the oldest go first).
 * Concurrent misses for one key share a single computation: every change of the stamp is
 * followed by a burst of readers, and that burst costs one query instead of one per reader.
 * A failed computation is forgotten, so the next reader tries again.
 */
export class StampedCache<T> {
  private readonly entries = new Map<string, { stamp: number; value: Promise<T> }>();

  constructor(private readonly limit: number) {}

  get(key: string, stamp: number, compute: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key);
    if (hit && hit.stamp === stamp) return hit.value;
    if (!hit && this.entries.size >= this.limit) this.entries.delete(this.entries.keys().next().value!);
    const entry = { stamp, value: compute() };
    this.entries.set(key, entry);
    entry.value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return entry.value;
  }
}
