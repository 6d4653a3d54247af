import { Types } from 'mongoose';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
  type ErrorDetail,
} from '../../errors';
import type { AuthContext } from '../../http/context';
import { loadCatalogue } from '../catalogue/indicator-definitions.service';
import { figureKey, figureSlots, parseFigureKey } from '../catalogue/reported-indicators';
import { loadReportedCatalogue } from '../catalogue/reported-indicators.service';
import { Group, type GroupDoc } from '../groups/group.model';
import { accessTo, groupFor, insiderIds } from '../groups/groups.service';
import { Organisation, type OrganisationDoc } from '../organisations/organisation.model';
import { removeFiles } from './attachment-store';
import { evidenceFor } from './evidence.service';
import { renderMarkdown } from './markdown';
import {
  CRITERIA,
  Practice,
  type AttachmentDoc,
  type Criterion,
  type CriterionName,
  type LocalisedText,
  type PracticeDoc,
  type Visibility,
} from './practice.model';
import {
  normalise,
  queryWords,
  rank,
  searchTerms,
  termOf,
  uniqueTokens,
  type FieldTokens,
} from './search-text';
import { oneWriteAtATime } from '../../db/one-write';

/** Who reads: an API key, or nobody (the public endpoints). */
export type Reader = AuthContext | null;

/** The groups whose group-visible entries a reader sees: all (platform), or these ids. */
interface GroupScope {
  all: boolean;
  /** Groups the reader's organisation is a member of or coordinates. */
  ids: Set<string>;
  byId: Map<string, GroupDoc>;
}

async function groupScope(reader: Reader): Promise<GroupScope> {
  if (!reader) return { all: false, ids: new Set(), byId: new Map() };
  // Groups are few and small; membership is read whole, as the groups module does.
  const groups = await Group.find().lean<GroupDoc[]>();
  const byId = new Map(groups.map((g) => [g._id.toHexString(), g]));
  if (reader.role === 'platform') return { all: true, ids: new Set(byId.keys()), byId };
  const ids = new Set(
    groups
      .filter((g) => {
        const a = accessTo(reader, g);
        return a.member || a.coordinatingOrganisation;
      })
      .map((g) => g._id.toHexString()),
  );
  return { all: false, ids, byId };
}

/** The visibility rule as a query filter, so a search stays one query. */
function visibilityFilter(reader: Reader, scope: GroupScope): Record<string, unknown> {
  if (!reader) return { visibility: 'public' };
  if (scope.all) return {};
  const or: Record<string, unknown>[] = [{ visibility: { $in: ['organisations', 'public'] } }];
  if (reader.organisationId) or.push({ organisationId: new Types.ObjectId(reader.organisationId) });
  for (const id of scope.ids) {
    const group = scope.byId.get(id)!;
    // An organisation that left the group takes its entries with it.
    const authors = insiderIds(group).map((o) => new Types.ObjectId(o));
    or.push({ visibility: 'group', groupId: group._id, organisationId: { $in: authors } });
  }
  return { $or: or };
}

/** The same rule for one entry read by id. */
function canRead(reader: Reader, doc: PracticeDoc, scope: GroupScope): boolean {
  if (doc.visibility === 'public') return true;
  if (!reader) return false;
  if (scope.all || doc.visibility === 'organisations') return true;
  if (reader.organisationId === doc.organisationId.toHexString()) return true;
  const group =
    doc.groupId && scope.ids.has(doc.groupId.toHexString())
      ? scope.byId.get(doc.groupId.toHexString())
      : null;
  return !!group && insiderIds(group).includes(doc.organisationId.toHexString());
}

const isAuthor = (reader: Reader, doc: PracticeDoc) =>
  !!reader?.organisationId && reader.organisationId === doc.organisationId.toHexString();

/** An entry the reader may see, or 404 exactly as for a missing one. */
export async function readablePractice(
  reader: Reader,
  id: string,
): Promise<{ doc: PracticeDoc; scope: GroupScope }> {
  const [doc, scope] = await Promise.all([Practice.findById(id).lean<PracticeDoc>(), groupScope(reader)]);
  if (!doc || !canRead(reader, doc, scope)) throw new NotFoundError('practice');
  return { doc, scope };
}

/** An entry the caller's organisation wrote and the caller's key may change (its admin). */
export async function ownPractice(caller: AuthContext, id: string): Promise<PracticeDoc> {
  const { doc } = await readablePractice(caller, id);
  if (!isAuthor(caller, doc) || caller.role !== 'admin')
    throw new ForbiddenError('only an admin key of the organisation that wrote it may change it');
  return doc;
}

/** A group the caller's organisation belongs to or coordinates, for linking an entry to it. */
async function linkableGroup(caller: AuthContext, ref: string): Promise<GroupDoc> {
  const problem = [{ path: '/group', message: 'not a group your organisation belongs to or coordinates' }];
  try {
    const access = await groupFor(caller, ref);
    if (!access.member && !access.coordinatingOrganisation)
      throw new ValidationError('the group cannot be linked', problem);
    return access.group;
  } catch (err) {
    if (err instanceof NotFoundError) throw new ValidationError('the group cannot be linked', problem);
    throw err;
  }
}

/** Indicator keys must be survey indicator ids or figure keys of reported indicators. */
async function checkIndicators(keys: readonly string[]): Promise<void> {
  if (!keys.length) return;
  const [survey, reported] = await Promise.all([loadCatalogue(), loadReportedCatalogue()]);
  const problems: ErrorDetail[] = [];
  keys.forEach((key, i) => {
    if (survey.has(key) || parseFigureKey(key, reported)) return;
    const def = reported.get(key);
    const message = def
      ? `name one of its figures: ${figureSlots(def)
          .map((s) => figureKey(def.id, s.part, s.tenure))
          .join(', ')}`
      : `unknown indicator ${key}`;
    problems.push({ path: `/indicators/${i}`, message });
  });
  if (problems.length) throw new ValidationError('unknown indicators', problems);
}

/** The fields derived from an entry's texts: rendered body, filter keys, search tokens. */
function derived(p: {
  title: LocalisedText;
  summary: LocalisedText;
  body: LocalisedText;
  topics: string[];
  indicators: string[];
}) {
  const search: FieldTokens = {
    title: uniqueTokens(Object.values(p.title)),
    summary: uniqueTokens(Object.values(p.summary)),
    other: uniqueTokens([...Object.values(p.body), ...p.topics]),
  };
  return {
    bodyHtml: Object.fromEntries(Object.entries(p.body).map(([lang, text]) => [lang, renderMarkdown(text)])),
    topicKeys: [...new Set(p.topics.map(topicKey))],
    indicatorKeys: [...new Set(p.indicators.flatMap((k) => [k, k.split('.')[0]!]))],
    search,
    terms: searchTerms([...search.title, ...search.summary, ...search.other]),
  };
}

const topicKey = (topic: string) => normalise(topic).trim().replace(/\s+/g, ' ');

/** What a client sends to create an entry. */
export interface NewPractice {
  group?: string;
  period: string;
  title: LocalisedText;
  summary: LocalisedText;
  body: LocalisedText;
  topics?: string[];
  indicators?: string[];
  criteria: Record<CriterionName, Criterion>;
  visibility: Visibility;
}

function requireGroupForVisibility(visibility: Visibility, group: unknown) {
  if (visibility === 'group' && !group)
    throw new ValidationError('a practice shown to a group names the group', [
      { path: '/group', message: 'required when visibility is group' },
    ]);
}

/** Creates an entry for the caller's organisation. */
export async function createPractice(caller: AuthContext, body: NewPractice) {
  if (!caller.organisationId) throw new ForbiddenError('a practice belongs to an organisation');
  requireGroupForVisibility(body.visibility, body.group);
  const org = await Organisation.findById(caller.organisationId).lean<OrganisationDoc>();
  if (!org) throw new NotFoundError('organisation');
  const group = body.group ? await linkableGroup(caller, body.group) : null;
  const indicators = body.indicators ?? [];
  await checkIndicators(indicators);
  const topics = body.topics ?? [];
  const doc = await Practice.create({
    organisationId: org._id,
    groupId: group?._id ?? null,
    period: body.period,
    title: body.title,
    summary: body.summary,
    body: body.body,
    topics,
    indicators,
    country: org.country,
    organisationType: org.type,
    criteria: body.criteria,
    visibility: body.visibility,
    createdBy: caller.keyId,
    ...derived({ title: body.title, summary: body.summary, body: body.body, topics, indicators }),
  });
  return getPractice(caller, doc._id.toHexString());
}

/** What a client sends to change an entry. */
export interface PracticePatch {
  group?: string | null;
  period?: string;
  title?: LocalisedText;
  summary?: LocalisedText;
  body?: LocalisedText;
  topics?: string[];
  indicators?: string[];
  criteria?: Partial<Record<CriterionName, Criterion>>;
  visibility?: Visibility;
  revision?: number;
}

/** Languages given replace or add; an empty text removes its language; one must stay. */
function mergeText(stored: LocalisedText, patch: LocalisedText | undefined, path: string): LocalisedText {
  if (!patch) return stored;
  const out: LocalisedText = { ...stored };
  for (const [lang, text] of Object.entries(patch)) {
    if (text === '') delete out[lang];
    else out[lang] = text;
  }
  if (!Object.keys(out).length)
    throw new ValidationError('a text needs at least one language', [
      { path, message: 'every language would be removed' },
    ]);
  return out;
}

const MAX_ATTEMPTS = 5;

/** The author organisation's admin changes an entry; texts merge language by language. */
export async function updatePractice(caller: AuthContext, id: string, patch: PracticePatch) {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const doc = await ownPractice(caller, id);
    if (patch.revision !== undefined && patch.revision !== doc.revision)
      throw new ConflictError('the practice changed since you read it; read it again', 'STALE_REVISION');
    const title = mergeText(doc.title, patch.title, '/title');
    const summary = mergeText(doc.summary, patch.summary, '/summary');
    const body = mergeText(doc.body, patch.body, '/body');
    const topics = patch.topics ?? doc.topics;
    const indicators = patch.indicators ?? doc.indicators;
    if (patch.indicators) await checkIndicators(patch.indicators);
    let groupId = doc.groupId;
    if (patch.group === null) groupId = null;
    else if (patch.group !== undefined) groupId = (await linkableGroup(caller, patch.group))._id;
    const visibility = patch.visibility ?? doc.visibility;
    requireGroupForVisibility(visibility, groupId);
    const criteria = { ...doc.criteria, ...patch.criteria };
    const set = {
      groupId,
      period: patch.period ?? doc.period,
      title,
      summary,
      body,
      topics,
      indicators,
      criteria,
      visibility,
      ...derived({ title, summary, body, topics, indicators }),
    };
    const res = await oneWriteAtATime(Practice, doc._id, () =>
      Practice.updateOne({ _id: doc._id, revision: doc.revision }, { $set: set, $inc: { revision: 1 } }),
    );
    if (res.matchedCount === 1) return getPractice(caller, id);
    if (patch.revision !== undefined)
      throw new ConflictError('the practice changed since you read it; read it again', 'STALE_REVISION');
  }
  throw new ConflictError('the practice is being changed by others; try again', 'BUSY_PRACTICE');
}

/** The author organisation's admin (or a platform key, moderating) deletes an entry and its files. */
export async function deletePractice(caller: AuthContext, id: string): Promise<void> {
  const { doc } = await readablePractice(caller, id);
  if (caller.role !== 'platform' && !(isAuthor(caller, doc) && caller.role === 'admin'))
    throw new ForbiddenError('only an admin key of the organisation that wrote it may delete it');
  await Practice.deleteOne({ _id: doc._id });
  await removeFiles(doc.attachments.map((a) => a._id));
}

async function organisationsById(ids: Types.ObjectId[]): Promise<Map<string, OrganisationDoc>> {
  const unique = [...new Set(ids.map((i) => i.toHexString()))].map((i) => new Types.ObjectId(i));
  if (!unique.length) return new Map();
  const docs = await Organisation.find({ _id: { $in: unique } }).lean<OrganisationDoc[]>();
  return new Map(docs.map((d) => [d._id.toHexString(), d]));
}

const orgRef = (id: Types.ObjectId, orgs: Map<string, OrganisationDoc>) => {
  const o = orgs.get(id.toHexString());
  return { id: id.toHexString(), slug: o?.slug ?? '', name: o?.name ?? '' };
};

/** The group is named only to readers who can see the group itself. */
function groupRef(doc: Pick<PracticeDoc, 'groupId'>, scope: GroupScope) {
  const id = doc.groupId?.toHexString();
  const g = id && scope.ids.has(id) ? scope.byId.get(id) : undefined;
  return g ? { id: g._id.toHexString(), slug: g.slug, name: g.name } : null;
}

type SummaryDoc = Omit<PracticeDoc, 'body' | 'bodyHtml' | 'terms'>;

function summaryView(doc: SummaryDoc, orgs: Map<string, OrganisationDoc>, scope: GroupScope) {
  return {
    id: doc._id.toHexString(),
    organisation: orgRef(doc.organisationId, orgs),
    group: groupRef(doc, scope),
    period: doc.period,
    title: doc.title,
    summary: doc.summary,
    topics: doc.topics,
    indicators: doc.indicators,
    country: doc.country,
    organisationType: doc.organisationType,
    criteria: Object.fromEntries(
      CRITERIA.map((c) => [c, { text: doc.criteria[c].text, rating: doc.criteria[c].rating }]),
    ),
    visibility: doc.visibility,
    revision: doc.revision ?? 0,
    createdAt: doc.createdAt.toISOString(),
    updatedAt: doc.updatedAt.toISOString(),
  };
}

function attachmentView(reader: Reader, practiceId: string, a: AttachmentDoc) {
  const base = reader ? '/api/v1/practices' : '/api/v1/public/practices';
  return {
    id: a._id.toHexString(),
    name: a.name,
    contentType: a.contentType,
    size: a.size,
    uploadedAt: a.uploadedAt.toISOString(),
    url: `${base}/${practiceId}/attachments/${a._id.toHexString()}`,
  };
}

/** One entry with its body, attachments and evidence. */
export async function getPractice(reader: Reader, id: string) {
  const { doc, scope } = await readablePractice(reader, id);
  const [orgs, evidence] = await Promise.all([
    organisationsById([doc.organisationId]),
    evidenceFor(doc, isAuthor(reader, doc)),
  ]);
  return {
    ...summaryView(doc, orgs, scope),
    body: doc.body,
    bodyHtml: doc.bodyHtml,
    attachments: doc.attachments.map((a) => attachmentView(reader, id, a)),
    evidence,
    ...(reader ? { you: { author: isAuthor(reader, doc) } } : {}),
  };
}

/** Search and filters of the list endpoints. */
export interface PracticeQuery {
  q?: string;
  indicator?: string;
  topic?: string;
  country?: string;
  organisationType?: string;
  group?: string;
  limit: number;
  cursor?: string;
}

/** Most matches a ranked search reads; a query finding more should be narrowed. */
const MAX_RANKED = 5000;

/**
 * Entries the reader may see, filtered, newest first; with `q`, those containing every query word
 * (or a word it begins), ranked. One query either way; the ranking is done here.
 */
export async function searchPractices(reader: Reader, query: PracticeQuery) {
  const scope = await groupScope(reader);
  const filter: Record<string, unknown> = { ...visibilityFilter(reader, scope) };
  if (query.indicator) filter.indicatorKeys = query.indicator;
  if (query.topic) filter.topicKeys = topicKey(query.topic);
  if (query.country) filter.country = query.country;
  if (query.organisationType) filter.organisationType = query.organisationType;
  if (query.group && reader) filter.groupId = (await groupFor(reader, query.group)).group._id;
  const words = query.q ? queryWords(query.q) : [];
  const ranked = words.length > 0;
  const offset = query.cursor && /^\d+$/.test(query.cursor) ? Number(query.cursor) : null;
  if (query.cursor && ranked !== (offset !== null))
    throw new ValidationError('the cursor belongs to another query', [
      { path: '/query/cursor', message: 'use the nextCursor of the same query' },
    ]);
  const projection = { body: 0, bodyHtml: 0, terms: 0 };

  if (!ranked) {
    if (query.cursor) filter._id = { $lt: new Types.ObjectId(query.cursor) };
    const docs = await Practice.find(filter, projection)
      .sort({ _id: -1 })
      .limit(query.limit + 1)
      .lean<SummaryDoc[]>();
    const more = docs.length > query.limit;
    const page = docs.slice(0, query.limit);
    const orgs = await organisationsById(page.map((d) => d.organisationId));
    return {
      items: page.map((d) => summaryView(d, orgs, scope)),
      nextCursor: more ? page.at(-1)!._id.toHexString() : null,
    };
  }

  filter.terms = { $all: words.map(termOf) };
  const docs = await Practice.find(filter, projection).limit(MAX_RANKED).lean<SummaryDoc[]>();
  const scored = docs
    .map((d) => ({ d, score: rank(d.search, words) }))
    .filter((x) => x.score > 0)
    .sort((a, b) => b.score - a.score || b.d._id.toHexString().localeCompare(a.d._id.toHexString()));
  const start = offset ?? 0;
  const page = scored.slice(start, start + query.limit);
  const orgs = await organisationsById(page.map((x) => x.d.organisationId));
  return {
    items: page.map((x) => ({ ...summaryView(x.d, orgs, scope), score: x.score })),
    nextCursor: start + query.limit < scored.length ? String(start + query.limit) : null,
  };
}
