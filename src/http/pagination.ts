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

/**
 * Query parameters of a list ordered by a text key (an indicator value, a return, a group's
 * slug): the cursor is opaque, as every cursor should be treated.
 */
export const keyPageQuery = {
  limit: pageQuery.limit,
  cursor: {
    type: 'string',
    pattern: '^[A-Za-z0-9_-]{1,1400}$',
    description: 'The nextCursor of the previous page',
  },
} as const;

/** The query of a list with no filters of its own. */
export const pageOnlyQuery = { type: 'object', additionalProperties: false, properties: pageQuery } as const;

/** The query of a list ordered by a text key, with no filters of its own. */
export const keyPageOnlyQuery = {
  type: 'object',
  additionalProperties: false,
  properties: keyPageQuery,
} as const;

/** The envelope of a list response, for OpenAPI. */
export function pageSchema(item: object) {
  return {
    type: 'object',
    required: ['items', 'nextCursor'],
    properties: { items: { type: 'array', items: item }, nextCursor: { type: ['string', 'null'] } },
  } as const;
}

/** A filter fragment for keyset pagination by `_id`. */
export function afterCursor(cursor: string | undefined): Record<string, unknown> {
  return cursor ? { _id: { $gt: new Types.ObjectId(cursor) } } : {};
}

/** A page of a list: its items, and the cursor of the next page (null on the last). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Builds the page envelope from limit + 1 items, the next cursor naming the last one shown. */
function pageFrom<D, T>(docs: D[], limit: number, view: (d: D) => T, cursorOf: (d: D) => string): Page<T> {
  const more = docs.length > limit;
  const page = more ? docs.slice(0, limit) : docs;
  return { items: page.map(view), nextCursor: more ? cursorOf(page[page.length - 1]!) : null };
}

/** Builds the page envelope from limit + 1 fetched documents. */
export function toPage<D extends { _id: Types.ObjectId }, T>(docs: D[], limit: number, view: (d: D) => T) {
  return pageFrom(docs, limit, view, (d) => d._id.toHexString());
}

/** A list's page request: how many items, after which one. */
export interface PageRequest {
  limit: number;
  cursor?: string;
}

const encodeKey = (key: string) => Buffer.from(key, 'utf8').toString('base64url');
const decodeKey = (cursor: string) => Buffer.from(cursor, 'base64url').toString('utf8');

/** A filter fragment for keyset pagination by a text `_id` (see {@link keyPageQuery}). */
export function afterKey(cursor: string | undefined): Record<string, unknown> {
  return cursor ? { _id: { $gt: decodeKey(cursor) } } : {};
}

/** Builds the page envelope from limit + 1 fetched documents with text `_id`s. */
export function toKeyPage<D extends { _id?: string | null }, T>(docs: D[], limit: number, view: (d: D) => T) {
  return pageFrom(docs, limit, view, (d) => encodeKey(String(d._id)));
}

/**
 * One page of a list held in memory (a catalogue, an embedded trail), in ascending order of
 * `key`, which is unique: the items after the cursor's key, then the next cursor.
 */
export function pageOf<T>(items: T[], key: (item: T) => string, page: PageRequest): Page<T> {
  const ordered = [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const after = page.cursor ? decodeKey(page.cursor) : null;
  const rest = after === null ? ordered : ordered.filter((item) => key(item) > after);
  return pageFrom(
    rest.slice(0, page.limit + 1),
    page.limit,
    (item) => item,
    (item) => encodeKey(key(item)),
  );
}
