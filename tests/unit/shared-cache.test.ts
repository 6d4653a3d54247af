import { SharedCache } from '../../src/shared-cache';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('SharedCache', () => {
  it('concurrent misses for one key share one computation', async () => {
    const cache = new SharedCache<string>(10);
    const pending = deferred<string>();
    const compute = jest.fn(() => pending.promise);
    const readers = Array.from({ length: 20 }, () => cache.untilChanged('k', 1, compute));
    pending.resolve('answer');
    expect(await Promise.all(readers)).toEqual(Array(20).fill('answer'));
    expect(compute).toHaveBeenCalledTimes(1);
  });

  it('a new stamp computes again; the same stamp does not', async () => {
    const cache = new SharedCache<number>(10);
    let calls = 0;
    const compute = async () => ++calls;
    expect(await cache.untilChanged('k', 1, compute)).toBe(1);
    expect(await cache.untilChanged('k', 1, compute)).toBe(1);
    expect(await cache.untilChanged('k', 2, compute)).toBe(2);
    expect(await cache.untilChanged('other', 2, compute)).toBe(3);
  });

  it('forgets a failed computation, so the next reader tries again', async () => {
    const cache = new SharedCache<string>(10);
    await expect(cache.untilChanged('k', 1, () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cache.untilChanged('k', 1, async () => 'back')).toBe('back');
  });

  it('keeps at most `limit` keys, dropping the oldest', async () => {
    const cache = new SharedCache<string>(2);
    await cache.untilChanged('a', 1, async () => 'a1');
    await cache.untilChanged('b', 1, async () => 'b1');
    await cache.untilChanged('c', 1, async () => 'c1');
    expect(await cache.untilChanged('b', 1, async () => 'b2')).toBe('b1');
    expect(await cache.untilChanged('a', 1, async () => 'a2')).toBe('a2');
  });
});
