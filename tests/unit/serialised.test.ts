import { Types } from 'mongoose';
import { freezeDeep, isReusable } from '../../src/http/serialised';

it('freezes plain objects and arrays all the way down, and leaves class instances alone', () => {
  const id = new Types.ObjectId();
  const at = new Date('2026-01-01T00:00:00Z');
  const body = freezeDeep({ items: [{ n: 1, distribution: { a: 2 } }], id, at, bytes: Buffer.from('x') });
  expect(isReusable(body)).toBe(true);
  expect(Object.isFrozen(body.items)).toBe(true);
  expect(Object.isFrozen(body.items[0]!.distribution)).toBe(true);
  expect(() => {
    (body.items[0]!.distribution as Record<string, number>).a = 3;
  }).toThrow(TypeError);
  expect(Object.isFrozen(id)).toBe(false);
  expect(Object.isFrozen(at)).toBe(false);
  expect(JSON.parse(JSON.stringify(body))).toMatchObject({ id: id.toHexString(), at: at.toISOString() });
});

it('treats only frozen objects as reusable', () => {
  expect(isReusable({ a: 1 })).toBe(false);
  expect(isReusable(null)).toBe(false);
  expect(isReusable('text')).toBe(false);
  expect(isReusable(Object.freeze([1]))).toBe(true);
});
