/**
 * Promises kept per key, at most `limit` keys (the oldest go first). Concurrent misses for one
 * key share a single computation, so a burst of readers costs one query instead of one each;
 * a failed computation is forgotten, so the next reader tries again.
 */
export class SharedCache<T> {
  private readonly entries = new Map<string, { mark: number; value: Promise<T> }>();

  constructor(private readonly limit: number) {}

  /** Kept until `stamp` moves: every change is followed by a burst of readers. */
  untilChanged(key: string, stamp: number, compute: () => Promise<T>): Promise<T> {
    return this.get(key, stamp, (mark) => mark === stamp, compute);
  }

  /** Kept for `ttlMs` after it was asked for. */
  forMs(key: string, ttlMs: number, compute: () => Promise<T>): Promise<T> {
    const now = Date.now();
    return this.get(key, now, (mark) => now - mark < ttlMs, compute);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  /** Forgets every entry. */
  clear(): void {
    this.entries.clear();
  }

  private get(key: string, mark: number, fresh: (mark: number) => boolean, compute: () => Promise<T>) {
    const hit = this.entries.get(key);
    if (hit && fresh(hit.mark)) return hit.value;
    if (!hit && this.entries.size >= this.limit) this.entries.delete(this.entries.keys().next().value!);
    const entry = { mark, value: compute() };
    this.entries.set(key, entry);
    entry.value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return entry.value;
  }
}
