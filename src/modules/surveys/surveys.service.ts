import { SharedCache } from '../../shared-cache';
import { recordAudit } from '../audit/record';
import { Types } from 'mongoose';
import { contentHash } from '../../canonical-json';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
  type ErrorDetail,
} from '../../errors';
import type { AuthContext } from '../../http/context';
import { afterCursor, toPage } from '../../http/pagination';
import type { IndicatorDefinition } from '../catalogue/catalogue';
import { loadCatalogue } from '../catalogue/indicator-definitions.service';
import { checkDefinitionOffThread } from '../../validation/validation-pool';
import type { QuestionInfo } from './definition-validator';
import { validateMapping, type MappingEntry } from './indicator-mapping';
import { Survey, SurveyVersion, type SurveyDoc, type SurveyVersionDoc } from './survey.model';
import { findTemplate } from './templates';
import { oneWriteAtATime } from '../../db/one-write';

type Definition = Record<string, unknown>;

/** The content a draft or a version holds. */
export interface SurveyContent {
  definition: Definition;
  indicatorMapping: MappingEntry[];
  languages: string[];
}

/** Result of checking content: problems that block, warnings that do not, and the questions. */
export interface ContentCheck {
  errors: ErrorDetail[];
  warnings: ErrorDetail[];
  questions: QuestionInfo[];
  /** The languages given, or else the ones the definition is written in (its locale first). */
  languages: string[];
}

/** Content to check; without languages, the definition's own are used. */
export type ContentInput = Omit<SurveyContent, 'languages'> & { languages?: string[] };

/**
 * Validates a definition with its mapping (paths prefixed `/definition`).
 *
 * @param catalogue - indicators to map onto; the stored catalogue when omitted.
 */
export async function checkContent(
  content: ContentInput,
  catalogue?: Map<string, IndicatorDefinition>,
): Promise<ContentCheck> {
  const report = await checkDefinitionOffThread(content.definition, content.languages);
  const prefix = (d: ErrorDetail) => ({
    ...d,
    path: d.path === '/languages' ? d.path : `/definition${d.path === '/' ? '' : d.path}`,
  });
  const errors = report.errors.map(prefix);
  if (content.languages && !content.languages.length)
    errors.push({ path: '/languages', message: 'list at least one language' });
  if (!errors.length)
    errors.push(
      ...validateMapping(content.indicatorMapping, report.questions, catalogue ?? (await loadCatalogue())),
    );
  return {
    errors,
    warnings: report.warnings.map(prefix),
    questions: report.questions,
    languages: report.languages,
  };
}

async function checkOrThrow(content: ContentInput): Promise<ContentCheck> {
  const check = await checkContent(content);
  if (check.errors.length) throw new ValidationError('the survey definition has problems', check.errors);
  return check;
}

/** Surveys the caller owns: its organisation's, or for platform keys the platform's (shared). */
function ownScope(caller: AuthContext) {
  return { organisationId: caller.role === 'platform' ? null : new Types.ObjectId(caller.organisationId!) };
}

/** Surveys the caller may read: its own and the shared ones. */
function readScope(caller: AuthContext) {
  return caller.role === 'platform' ? {} : { $or: [ownScope(caller), { shared: true }] };
}

function titleOf(definition: Definition, fallback: string): string {
  const t = definition.title;
  if (typeof t === 'string' && t.trim()) return t.trim().slice(0, 200);
  if (t && typeof t === 'object' && typeof (t as Record<string, unknown>).default === 'string') {
    return String((t as Record<string, unknown>).default).slice(0, 200);
  }
  return fallback;
}

function contentOfDraft(doc: SurveyDoc): SurveyContent {
  return {
    definition: JSON.parse(doc.draft.definition) as Definition,
    indicatorMapping: JSON.parse(doc.draft.indicatorMapping) as MappingEntry[],
    languages: doc.draft.languages,
  };
}

export function toSummary(doc: SurveyDoc) {
  return {
    id: doc._id.toHexString(),
    slug: doc.slug,
    title: doc.title,
    organisationId: doc.organisationId ? doc.organisationId.toHexString() : null,
    shared: doc.shared,
    latestVersion: doc.latestVersion,
    template: doc.template ?? null,
    createdAt: doc.createdAt.toISOString(),
    updatedAt: doc.updatedAt.toISOString(),
  };
}

function toDetail(doc: SurveyDoc, warnings: ErrorDetail[]) {
  return {
    ...toSummary(doc),
    draft: {
      ...contentOfDraft(doc),
      basedOnVersion: doc.draft.basedOnVersion,
      revision: doc.draft.revision ?? 0,
      updatedAt: doc.draft.updatedAt.toISOString(),
    },
    warnings,
  };
}

export function toVersionView(v: SurveyVersionDoc) {
  return {
    surveyId: v.surveyId.toHexString(),
    version: v.version,
    title: v.title,
    definition: JSON.parse(v.definition) as Definition,
    indicatorMapping: JSON.parse(v.indicatorMapping) as MappingEntry[],
    languages: v.languages,
    contentHash: v.contentHash,
    publishedAt: v.publishedAt.toISOString(),
    publishedBy: v.publishedBy ? v.publishedBy.toHexString() : null,
  };
}

/** Input of survey creation, already schema-validated. */
export interface NewSurvey {
  slug: string;
  title?: string;
  template?: string;
  definition?: Definition;
  indicatorMapping?: MappingEntry[];
  languages?: string[];
  shared?: boolean;
}

/** Creates a survey with a draft, from a template or from a definition. */
export async function createSurvey(caller: AuthContext, input: NewSurvey) {
  if (input.shared && caller.role !== 'platform') {
    throw new ForbiddenError('only platform keys create shared surveys');
  }
  const template = input.template ? findTemplate(input.template) : undefined;
  if (input.template && !template) {
    throw new ValidationError('unknown template', [
      { path: '/template', message: `no template "${input.template}"` },
    ]);
  }
  const definition = input.definition ?? template?.definition;
  if (!definition) {
    throw new ValidationError('a definition or a template is required', [
      { path: '/definition', message: 'required unless template is given' },
    ]);
  }
  const given: ContentInput = {
    definition,
    indicatorMapping: input.indicatorMapping ?? (input.definition ? [] : (template?.indicatorMapping ?? [])),
    languages: input.languages ?? (input.definition ? undefined : template?.languages),
  };
  const check = await checkOrThrow(given);
  const content: SurveyContent = { ...given, languages: check.languages };
  const scope = ownScope(caller);
  if (await Survey.exists({ ...scope, slug: input.slug })) throw duplicateSlug(input.slug);
  try {
    const doc = await Survey.create({
      ...scope,
      shared: caller.role === 'platform' ? input.shared !== false : false,
      slug: input.slug,
      title: input.title ?? titleOf(definition, input.slug),
      template: template?.slug ?? null,
      draft: {
        definition: JSON.stringify(content.definition),
        indicatorMapping: JSON.stringify(content.indicatorMapping),
        languages: content.languages,
        basedOnVersion: 0,
        updatedAt: new Date(),
      },
    });
    await recordAudit(caller, {
      action: 'survey.created',
      resource: { type: 'survey', id: doc._id.toHexString() },
      after: draftSummary(doc.toObject() as SurveyDoc),
    });
    return toDetail(doc.toObject() as SurveyDoc, check.warnings);
  } catch (err) {
    if ((err as { code?: number }).code === 11000) throw duplicateSlug(input.slug);
    throw err;
  }
}

function duplicateSlug(slug: string) {
  return new ConflictError(`a survey with slug "${slug}" exists`, 'DUPLICATE_SLUG', [
    { path: '/slug', message: 'already taken' },
  ]);
}

async function ownSurvey(caller: AuthContext, id: string): Promise<SurveyDoc> {
  const doc = await Survey.findOne({ _id: new Types.ObjectId(id), ...ownScope(caller) }).lean<SurveyDoc>();
  if (!doc) throw new NotFoundError('survey');
  return doc;
}

/** A survey the caller may read (own or shared), with its draft. */
export async function getSurvey(caller: AuthContext, id: string) {
  const doc = await Survey.findOne({ _id: new Types.ObjectId(id), ...readScope(caller) }).lean<SurveyDoc>();
  if (!doc) throw new NotFoundError('survey');
  const own =
    caller.role === 'platform'
      ? doc.organisationId === null
      : doc.organisationId?.toHexString() === caller.organisationId;
  const warnings = own ? (await checkContent(contentOfDraft(doc))).warnings : [];
  return toDetail(doc, warnings);
}

/** Replaces the draft of an own survey; published versions are untouched. */
export async function replaceDraft(
  caller: AuthContext,
  id: string,
  input: Partial<SurveyContent> & { title?: string; definition: Definition; revision?: number },
) {
  const doc = await ownSurvey(caller, id);
  if (input.revision !== undefined) refuseStaleDraft(doc, input.revision);
  const current = contentOfDraft(doc);
  const content: SurveyContent = {
    definition: input.definition,
    indicatorMapping: input.indicatorMapping ?? current.indicatorMapping,
    languages: input.languages ?? current.languages,
  };
  const check = await checkOrThrow(content);
  // With a revision, written only on it: a replacement made while this one was checked is
  // never overwritten unseen. Drafts kept before revisions were counted have none (0).
  const onRevision =
    input.revision === undefined
      ? {}
      : input.revision > 0
        ? { 'draft.revision': input.revision }
        : { $or: [{ 'draft.revision': 0 }, { 'draft.revision': { $exists: false } }] };
  const updated = await oneWriteAtATime(Survey, doc._id, () =>
    Survey.findOneAndUpdate(
      { _id: doc._id, ...onRevision },
      {
        $set: {
          title: input.title ?? doc.title,
          'draft.definition': JSON.stringify(content.definition),
          'draft.indicatorMapping': JSON.stringify(content.indicatorMapping),
          'draft.languages': content.languages,
          'draft.updatedAt': new Date(),
        },
        $inc: { 'draft.revision': 1 },
      },
      { new: true },
    ).lean<SurveyDoc>(),
  );
  if (!updated) {
    refuseStaleDraft(await ownSurvey(caller, id), input.revision ?? 0);
    throw new NotFoundError('survey');
  }
  await recordAudit(caller, {
    action: 'survey.draft-changed',
    resource: { type: 'survey', id: doc._id.toHexString() },
    before: draftSummary(doc),
    after: draftSummary(updated!),
  });
  return toDetail(updated!, check.warnings);
}

/** 409 when the draft is no longer at the revision the caller edited (or reviewed, to publish). */
function refuseStaleDraft(doc: SurveyDoc, revision: number, to: 'save' | 'publish' = 'save'): void {
  const current = doc.draft.revision ?? 0;
  if (current !== revision) {
    const advice =
      to === 'save'
        ? 'reload it and apply your change again'
        : 'nothing was published: reload it, review the change and publish again';
    throw new ConflictError(
      `the draft was replaced meanwhile (revision ${current}, you ${to === 'save' ? 'edited' : 'reviewed'} ${revision}); ${advice}`,
      'DRAFT_CONFLICT',
    );
  }
}

/**
 * What the audit log keeps of a draft: title, languages and the hash of its content (a
 * definition can be half a megabyte; the hash tells whether two states differ, and published
 * versions keep every definition).
 */
function draftSummary(doc: Pick<SurveyDoc, 'title' | 'slug' | 'draft'>) {
  return {
    slug: doc.slug,
    title: doc.title,
    languages: doc.draft.languages,
    contentHash: contentHash(contentOfDraft(doc as SurveyDoc)),
  };
}

/**
 * Publishes the draft as the next immutable version. The unique (survey, version) index
 * arbitrates concurrent publishes without a transaction: the loser gets a 409.
 */
export async function publishDraft(caller: AuthContext, id: string, revision?: number) {
  const doc = await ownSurvey(caller, id);
  // The version is made of this read of the draft: with a revision, only if it is the one reviewed.
  if (revision !== undefined) refuseStaleDraft(doc, revision, 'publish');
  const content = contentOfDraft(doc);
  const check = await checkOrThrow(content);
  const hash = contentHash(content);
  // The highest stored version, not the survey's own count: a publish that stored its version and
  // stopped before moving the survey on (a crash, a lost connection) left one above it.
  const top = await SurveyVersion.findOne({ surveyId: doc._id })
    .sort({ version: -1 })
    .lean<SurveyVersionDoc>();
  if (top?.contentHash === hash) {
    if (top.version <= doc.latestVersion)
      throw new ConflictError(
        `the draft equals version ${top.version}; change it before publishing`,
        'NO_CHANGES',
      );
    // This very draft was stored as a version by another publish, still under way or stopped
    // before it moved the survey on (a crash, a lost connection): it is made the latest.
    await moveToVersion(caller, doc, top.version, hash);
    throw new ConflictError(
      `this draft was published as version ${top.version} meanwhile; reload`,
      'PUBLISH_CONFLICT',
    );
  }
  const version = Math.max(doc.latestVersion, top?.version ?? 0) + 1;
  try {
    const created = await SurveyVersion.create({
      surveyId: doc._id,
      organisationId: doc.organisationId,
      version,
      title: doc.title,
      definition: JSON.stringify(content.definition),
      indicatorMapping: JSON.stringify(content.indicatorMapping),
      questions: JSON.stringify(check.questions),
      languages: content.languages,
      contentHash: hash,
      publishedAt: new Date(),
      publishedBy: new Types.ObjectId(caller.keyId),
    });
    await moveToVersion(caller, doc, version, hash);
    return { ...toVersionView(created.toObject() as SurveyVersionDoc), warnings: check.warnings };
  } catch (err) {
    if ((err as { code?: number }).code === 11000) {
      throw new ConflictError(
        'another publish of this survey happened at the same time; reload and retry',
        'PUBLISH_CONFLICT',
      );
    }
    throw err;
  }
}

/** Makes a stored version the survey's latest (never moving it back) and records the publish. */
async function moveToVersion(caller: AuthContext, doc: SurveyDoc, version: number, hash: string) {
  const moved = await oneWriteAtATime(Survey, doc._id, () =>
    Survey.updateOne(
      { _id: doc._id, latestVersion: { $lt: version } },
      { $set: { latestVersion: version, 'draft.basedOnVersion': version } },
    ),
  );
  // Moved on already (by the publish that stored the version): that one records it.
  if (moved.modifiedCount === 0) return;
  await recordAudit(caller, {
    action: 'survey.published',
    resource: { type: 'survey', id: doc._id.toHexString() },
    before: { latestVersion: doc.latestVersion },
    after: { latestVersion: version, contentHash: hash, title: doc.title },
  });
}

/** One published version of a survey the caller may read. */
/** Published versions never change, so they are kept once read (bounded; the oldest go first). */
const pinned = new SharedCache<SurveyVersionDoc | null>(500);
const PINNED_TTL_MS = 10 * 60 * 1000;

/**
 * A published version by survey and number, from memory after its first read: submissions and
 * aggregation ask for it constantly, and a version, once published, is immutable.
 */
export function pinnedVersion(
  surveyId: Types.ObjectId | string,
  version: number,
): Promise<SurveyVersionDoc | null> {
  const id = typeof surveyId === 'string' ? surveyId : surveyId.toHexString();
  return pinned.forMs(`${id}:${version}`, PINNED_TTL_MS, () =>
    SurveyVersion.findOne({ surveyId: new Types.ObjectId(id), version })
      .lean<SurveyVersionDoc>()
      .exec(),
  );
}

export async function getVersionDoc(caller: AuthContext, id: string, n: number): Promise<SurveyVersionDoc> {
  const survey = await Survey.findOne(
    { _id: new Types.ObjectId(id), ...readScope(caller) },
    { _id: 1 },
  ).lean();
  if (!survey) throw new NotFoundError('survey');
  const v = await SurveyVersion.findOne({ surveyId: survey._id, version: n }).lean<SurveyVersionDoc>();
  if (!v) throw new NotFoundError('survey version');
  return v;
}

/** Own and shared surveys, a page at a time. */
export async function listSurveys(caller: AuthContext, page: { limit: number; cursor?: string }) {
  const docs = await Survey.find({ ...readScope(caller), ...afterCursor(page.cursor) })
    .sort({ _id: 1 })
    .limit(page.limit + 1)
    .lean<SurveyDoc[]>();
  return toPage(docs, page.limit, toSummary);
}
