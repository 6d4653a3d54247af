import { createHash } from 'node:crypto';
import { Types } from 'mongoose';

/**
 * An ObjectId derived from a text key: every server finds it by its primary index, the same key
 * always gives the same id (so a second insert is a duplicate key), and unlike a generated one it
 * carries no time.
 */
export function keyedObjectId(key: string): Types.ObjectId {
  return new Types.ObjectId(createHash('sha256').update(key).digest().subarray(0, 12));
}
