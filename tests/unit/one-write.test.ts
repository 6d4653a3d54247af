import { oneWriteAtATime } from '../../src/db/one-write';

/** A model as the function reads it: its collection's name. */
const plans = { collection: { collectionName: 'plans' } };

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('oneWriteAtATime', () => {
  it('runs the writes of one document one after the other, in the order they came', async () => {
    const log: string[] = [];
    const write = (name: string) => async () => {
      log.push(`${name} starts`);
      await tick();
      log.push(`${name} ends`);
      return name;
    };
    const results = await Promise.all([
      oneWriteAtATime(plans, '1', write('a')),
      oneWriteAtATime(plans, '1', write('b')),
      oneWriteAtATime(plans, '1', write('c')),
    ]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['a starts', 'a ends', 'b starts', 'b ends', 'c starts', 'c ends']);
  });

  it('lets writes of other documents run alongside, and a failed write hold up nothing', async () => {
    const log: string[] = [];
    let release!: () => void;
    const held = oneWriteAtATime(plans, '2', () => new Promise<void>((r) => (release = r)));
    await oneWriteAtATime(plans, '3', async () => log.push('other document'));
    expect(log).toEqual(['other document']);
    const failing = oneWriteAtATime(plans, '2', async () => {
      throw new Error('refused');
    });
    const after = oneWriteAtATime(plans, '2', async () => log.push('after the failure'));
    release();
    await held;
    await expect(failing).rejects.toThrow('refused');
    await after;
    expect(log).toEqual(['other document', 'after the failure']);
  });
});
