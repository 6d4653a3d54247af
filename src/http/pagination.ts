import { Types } from 'mongoose';

/** Query parameters every list accepts. */
export const pageQuery = {
  limit: { type: 'integer', minimum: 1, maximum: 200, default: 50, description: 'Items per page' },
  cursor: {
    type: 'string',
    pattern: '^[a-f0-9]{24}$',
    description: 'The nextCursor of the previous page',
  },
} as const;

/** The envelope of a list response, for OpenAPI. */
export function pageSchema(item: object) {
  return {
    type: 'object',
    required: ['items', 'nextCursor'],
    properties: { items: { type: 'array', items: item }, nextCursor: { type: ['string', 'null'] } },
  } as const;
}

/** The envelope of an unpaged list (`{items: [...]}`), for OpenAPI. */
export function listSchema<const I extends object>(item: I) {
  return {
    type: 'object',
    required: ['items'],
    properties: { items: { type: 'array', items: item } },
  } as const;
}

/** A filter fragment for keyset pagination by `_id`. */
export function afterCursor(cursor: string | undefined): Record<string, unknown> {
  return cursor ? { _id: { $gt: new Types.ObjectId(cursor) } } : {};
}

/** Builds the page envelope from limit + 1 fetched documents. */
export function toPage<D extends { _id: Types.ObjectId }, T>(
  docs: D[],
  limit: number,
  view: (d: D) => T,
): { items: T[]; nextCursor: string | null } {
  const more = docs.length > limit;
  const page = more ? docs.slice(0, limit) : docs;
  return { items: page.map(view), nextCursor: more ? page[page.length - 1]!._id.toHexString() : null };
}
