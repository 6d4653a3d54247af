import { randomBytes, randomUUID } from 'node:crypto';
import { Types, type mongo } from 'mongoose';
import type { Logger } from 'pino';
import type { Config } from '../../config';
import { GroupInsert, type InsertOutcome } from '../../db/group-insert';
import { oneWriteAtATime } from '../../db/one-write';
import { AppError, ConflictError, GoneError, ValidationError } from '../../errors';
import { JobName } from '../../queue/jobs';
import type { Queues } from '../../queue/queues';
import { CampaignClaim, claimId, Invitation, type CampaignDoc } from '../campaigns/campaign.model';
import {
  currentStatus,
  hashToken,
  publicCampaign,
  type CampaignStatus,
} from '../campaigns/campaigns.service';
import type { SurveyVersionDoc } from '../surveys/survey.model';
import { checkAnswersOffThread } from '../../validation/validation-pool';
import type { FileLimits } from './answer-validator';
import { PendingAnswer, type PendingDoc } from './inbox.model';
import { latestState } from './unit-state';
import type { Mode } from './modes';
import { SurveyResponse, responseIdFor } from './response.model';
import { isDuplicateKey } from '../../db/upsert';

/** A tenant's submission, schema-validated at the edge. */
export interface Submission {
  submissionId: string;
  answers: Record<string, unknown>;
  locale: string;
  token?: string;
  channel?: 'link' | 'qr' | 'letter';
  startedAt?: string;
}

/** What the submitter learns: the stored response's id, and whether this call stored it. */
export interface SubmissionResult {
  id: string;
  created: boolean;
}

/** Everything submission needs besides the data. */
export interface SubmissionDeps {
  queues: Queues;
  logger: Logger;
  /** Debounce of bucket recomputes: a burst of answers becomes one job. */
  aggregationDelayMs: number;
  /** Limits on files and signatures in answers. */
  files: FileLimits;
}

/** Submission's dependencies from the configuration, the queues and a logger. */
export function submissionDeps(
  config: Pick<Config, 'aggregationDelayMs' | 'fileMaxBytes' | 'responseFilesMaxBytes' | 'fileTypes'>,
  queues: Queues,
  logger: Logger,
): SubmissionDeps {
  return {
    queues,
    logger,
    aggregationDelayMs: config.aggregationDelayMs,
    files: {
      fileBytes: config.fileMaxBytes,
      responseBytes: config.responseFilesMaxBytes,
      types: config.fileTypes,
    },
  };
}

/**
 * Stores a tenant's answers once. The order matters:
 * 1. a known submissionId answers 200 with the same id, even after the campaign closed, so a
 *    phone that retries after a lost confirmation is never told it failed;
 * 2. closed, not yet open or full campaigns answer 410 (not yet open: 403);
 * 3. the answers are re-validated against the pinned version (422, nothing stored);
 * 4. a place under the response limit and the invitation token are claimed through unique
 *    indexes, and given back if the insert does not happen;
 * 5. the response is inserted under a key derived from campaign and submissionId (the insert is
 *    the duplicate check), then an inbox entry tells aggregation to count it, then the worker is
 *    nudged without waiting: if Redis is down the entry waits for the next sweep.
 * On an open campaign the database work is two inserts: their cost does not grow with the number
 * of responses stored, on MongoDB or on FerretDB's SQLite backend (which reads a whole collection
 * for any query, even by _id).
 */
export async function submitResponse(
  slug: string,
  input: Submission,
  deps: SubmissionDeps,
): Promise<SubmissionResult> {
  const { campaign, version } = await publicCampaign(slug);
  const id = responseIdFor(campaign._id, input.submissionId);
  const status = await currentStatus(campaign);
  // A retry of a stored submission is recognised by the insert below (its key is taken). Where
  // the insert is not reached (a campaign no longer open) or claims come first (personal codes,
  // response limits), it is looked up here; on FerretDB/SQLite that lookup reads the collection,
  // so the common path (an open campaign) does not make it.
  const claims = campaign.access === 'invite' || typeof campaign.responseLimit === 'number';
  if ((claims || status !== 'open') && (await SurveyResponse.exists({ _id: id })))
    return { id: id.toHexString(), created: false };

  assertAccepting(campaign, status);
  if (campaign.access === 'invite' && !input.token) {
    throw new AppError(403, 'INVITATION_REQUIRED', 'this survey needs the personal code from your letter');
  }
  let clean: Record<string, unknown>;
  try {
    clean = await validAnswers(campaign, version, input.answers, input.locale, deps.files);
  } catch (err) {
    // A retry of a stored submission answers as one, whatever it carries now.
    if (err instanceof ValidationError && (await SurveyResponse.exists({ _id: id })))
      return { id: id.toHexString(), created: false };
    throw err;
  }

  const now = new Date();
  return storeResponse(
    campaign,
    {
      id,
      submissionId: input.submissionId,
      locale: input.locale,
      channel: campaign.access === 'invite' ? 'letter' : (input.channel ?? 'link'),
      mode: 'online',
      serial: null,
      answers: clean,
      completedAt: now,
      durationSeconds: secondsSince(input.startedAt, now),
    },
    input.token ? { token: input.token } : null,
    deps,
  );
}

/** Refuses answers to a campaign that does not take them now: 403 before it opens, 410 after. */
export function assertAccepting(campaign: CampaignDoc, status: CampaignStatus): void {
  if (status === 'scheduled')
    throw new AppError(403, 'NOT_YET_OPEN', `this survey opens on ${campaign.opensAt.toISOString()}`);
  if (status === 'closed') throw new GoneError('this survey has closed', 'CLOSED');
  if (status === 'full') throw new GoneError('this survey has received all the answers it needed', 'FULL');
}

/**
 * The answers as they will be stored, once survey-core has judged them against the campaign's
 * pinned version in `locale` (off the main thread); 422 with paths otherwise.
 */
export async function validAnswers(
  campaign: CampaignDoc,
  version: Pick<SurveyVersionDoc, 'definition'>,
  answers: Record<string, unknown>,
  locale: string,
  files: FileLimits,
): Promise<Record<string, unknown>> {
  if (!campaign.languages.includes(locale)) {
    throw new ValidationError('unsupported language', [
      { path: '/locale', message: `this survey runs in ${campaign.languages.join(', ')}` },
    ]);
  }
  const { errors, answers: clean } = await checkAnswersOffThread(
    `${campaign.surveyId.toHexString()}:${campaign.version}`,
    version.definition,
    answers,
    locale,
    files,
  );
  if (errors.length) throw new ValidationError('the answers are not valid for this survey', errors);
  return clean;
}

/** Whole seconds from a client's `startedAt` to `now`; null when it is missing or not before now. */
export function secondsSince(startedAt: string | undefined, now: Date): number | null {
  const started = startedAt ? Date.parse(startedAt) : NaN;
  return Number.isFinite(started) && started < now.getTime()
    ? Math.round((now.getTime() - started) / 1000)
    : null;
}

/** What a stored response holds besides the campaign's own fields. */
export interface ResponseFields {
  id: Types.ObjectId;
  submissionId: string;
  locale: string;
  channel: 'link' | 'qr' | 'letter' | 'entry';
  mode: Mode;
  serial: string | null;
  answers: Record<string, unknown>;
  completedAt: Date;
  durationSeconds: number | null;
}

/**
 * Responses and inbox entries are written by group commit: under load, the submissions that
 * arrive while one write is under way go together in the next (see GroupInsert).
 */
const responseInserts = new GroupInsert<mongo.Document>(
  () => SurveyResponse.collection as unknown as mongo.Collection<mongo.Document>,
);
const inboxInserts = new GroupInsert<mongo.Document>(
  () => PendingAnswer.collection as unknown as mongo.Collection<mongo.Document>,
);

/**
 * Stores validated answers once: a place under the response limit and the invitation (by its
 * token, or by the token's hash that staff entry keeps) are claimed through unique indexes and
 * given back if the insert does not happen; the insert under `fields.id` is the duplicate check;
 * then the inbox entry, then a nudge to the worker. `created: false` when the id was taken.
 */
export async function storeResponse(
  campaign: CampaignDoc,
  fields: ResponseFields,
  code: { token: string } | { tokenHash: string } | null,
  deps: SubmissionDeps,
): Promise<SubmissionResult> {
  const claims: AttemptClaims = { releases: [], shared: [] };
  const doc = {
    _id: fields.id,
    campaignId: campaign._id,
    organisationId: campaign.organisationId,
    surveyId: campaign.surveyId,
    version: campaign.version,
    period: campaign.period,
    segment: campaign.segment ?? '',
    ...fields,
  };
  delete (doc as { id?: unknown }).id;
  let outcome: InsertOutcome;
  try {
    await reserveSlot(campaign, fields.id, claims);
    if (code)
      await consumeToken(
        campaign,
        'token' in code ? hashToken(code.token) : code.tokenHash,
        fields.id,
        claims,
      );
    outcome = await responseInserts.insert(doc as never);
  } catch (err) {
    // Given back unless the response is stored after all (an insert that failed on the way back)
    // or that cannot be known: the claims then stay with this submission, whose retry holds them.
    if (claims.releases.length) {
      const stored = await SurveyResponse.exists({ _id: fields.id }).catch(() => true);
      if (!stored) await Promise.allSettled(claims.releases.map((r) => r()));
    }
    throw err;
  }
  if (outcome === 'duplicate') {
    // The key is taken: this submission was stored before (a retry) or by an attempt running
    // alongside, which also wrote its inbox entry (or keeps it to write again) and holds the
    // code and a place. A place this attempt took besides is given back.
    await Promise.allSettled(claims.releases.filter((r) => r.kind === 'slot').map((r) => r()));
    // A claim this attempt shared is settled by it too: FerretDB writes a document whole, so its
    // share may have landed over the stored attempt's settling, naming the response again.
    if (claims.shared.length)
      await settleClaims(campaign, fields.id, { releases: [], shared: claims.shared }, deps.logger);
    return { id: fields.id.toHexString(), created: false };
  }
  await settleClaims(campaign, fields.id, claims, deps.logger);
  try {
    await writeInboxEntry(doc);
  } catch (err) {
    // The response is stored: the tenant hears so. Its entry is written again until it is stored;
    // a retry of the same submission would find the response and write nothing.
    keepInboxEntry(doc, deps, err);
    return { id: fields.id.toHexString(), created: true };
  }
  nudgeAggregation(deps);
  return { id: fields.id.toHexString(), created: true };
}

type InboxSource = Omit<PendingDoc, 'at'> & { mode: Mode };

/**
 * Inbox entries whose write failed after their response was stored (the database away for a
 * moment), by response id: written again in the background, one pass at a time, with growing
 * pauses. Only for {@link REWRITE_FOR_MS}: a full rebuild that starts meanwhile treats responses
 * that recent as possibly still getting an entry (it lists them as counted, so a late entry is
 * cleared, not counted again). Past that, and for a process that stops, the nightly rebuild
 * counts the response from the responses collection.
 */
const unwritten = new Map<string, { doc: InboxSource; deps: SubmissionDeps; since: number }>();
const MAX_UNWRITTEN = 10_000;
/** Below the rebuild's window for entries still on their way (RECENT_MS, 60 s). */
const REWRITE_FOR_MS = 45_000;
let retryTimer: NodeJS.Timeout | null = null;
let retryPause = 0;
let rewriting = false;

function keepInboxEntry(doc: InboxSource, deps: SubmissionDeps, err: unknown): void {
  const id = doc._id.toHexString();
  if (unwritten.size >= MAX_UNWRITTEN) {
    deps.logger.error(
      { response: id, err: (err as Error)?.message },
      'inbox entry not written; the nightly rebuild will count the response',
    );
    return;
  }
  deps.logger.warn(
    { response: id, err: (err as Error)?.message },
    'inbox entry not written; writing it again shortly',
  );
  unwritten.set(id, { doc, deps, since: Date.now() });
  scheduleInboxRetry();
}

function scheduleInboxRetry(): void {
  if (retryTimer || rewriting || !unwritten.size) return;
  retryPause = Math.min(Math.max(retryPause * 2, 100), 5_000);
  retryTimer = setTimeout(() => void rewriteInboxEntries(), retryPause);
  // A process that stops leaves them to the nightly rebuild.
  retryTimer.unref();
}

/**
 * Whether the unit's latest revision lists the response as counted: a write that failed may have
 * been stored after all (its answer lost), and a drain may have counted and removed it since.
 */
async function countedAlready(doc: InboxSource): Promise<boolean> {
  const u = { organisationId: doc.organisationId.toHexString(), period: doc.period };
  return (await latestState(u)).applied.includes(doc._id.toHexString());
}

/**
 * Writes the kept entries again, oldest first, one pass at a time; stops at the first failure and
 * tries later. Returns how many it wrote.
 */
export async function rewriteInboxEntries(): Promise<number> {
  if (rewriting) return 0;
  rewriting = true;
  retryTimer = null;
  let written = 0;
  try {
    for (const [id, kept] of [...unwritten]) {
      if (Date.now() - kept.since > REWRITE_FOR_MS) {
        unwritten.delete(id);
        kept.deps.logger.error(
          { response: id },
          'inbox entry given up; the nightly rebuild will count the response',
        );
        continue;
      }
      try {
        if (!(await countedAlready(kept.doc))) await writeInboxEntry(kept.doc);
      } catch {
        break;
      }
      unwritten.delete(id);
      written++;
      nudgeAggregation(kept.deps);
    }
  } finally {
    rewriting = false;
  }
  if (!unwritten.size) retryPause = 0;
  scheduleInboxRetry();
  return written;
}

/** How many inbox entries wait to be written again (see {@link rewriteInboxEntries}). */
export const unwrittenInboxEntries = () => unwritten.size;

/**
 * Writes the inbox entry that makes aggregation count a stored response: a copy of what counting
 * needs, so the worker never reads the (large) responses collection. A process that dies between
 * the response and its entry leaves the response to the nightly rebuild, which counts it.
 */
async function writeInboxEntry(r: InboxSource): Promise<void> {
  // A duplicate means the entry is there already (a retry after a failure between the two writes).
  await inboxInserts.insert({
    _id: r._id,
    campaignId: r.campaignId,
    organisationId: r.organisationId,
    period: r.period,
    surveyId: r.surveyId,
    version: r.version,
    segment: r.segment,
    mode: r.mode,
    answers: r.answers,
    at: new Date(),
  } as never);
}

/**
 * Runs a write on one claim after the writes this process started on it before. On FerretDB,
 * updates of one document running at once can take each other's change away (see
 * oneWriteAtATime): a share written over a settling would name the response again, and a give-back
 * that read the claim before a share would delete the shared claim.
 */
function claimWrite<T>(campaignId: Types.ObjectId, kind: string, key: string, write: () => Promise<T>) {
  return oneWriteAtATime(CampaignClaim, `${campaignId.toHexString()}|${kind}|${key}`, write);
}

/** A claim of a code (key: the invitation's id) or of a place (key: its number). */
interface ClaimRef {
  kind: 'token' | 'slot';
  key: string;
}

/** A function that gives back a claim, and the claim it gives back. */
type Release = (() => Promise<unknown>) & ClaimRef;

/** The claims one attempt of a submission took, and those it shares with another attempt of it. */
interface AttemptClaims {
  releases: Release[];
  /** Found held by another attempt of the same submission, and shared with it (see shareClaim). */
  shared: ClaimRef[];
}

/**
 * Shares with the attempt that took it a code or place claimed for this very submission: the
 * claim then names no attempt, so none gives it back on failing (the other attempt may be about
 * to fail while this one stores the answers, and another submission would take the code in
 * between). Storing the answers settles it; the daily tidy gives it back if no attempt ever does.
 * Records it in `claims`; false when there is none (or it was given back meanwhile).
 */
async function shareClaim(
  campaignId: CampaignDoc['_id'],
  kind: 'token' | 'slot',
  holder: Types.ObjectId,
  claims: AttemptClaims,
  key?: string,
): Promise<boolean> {
  const filter = { campaignId, kind, holder, ...(key === undefined ? {} : { key }) };
  const share = () =>
    CampaignClaim.findOneAndUpdate(
      filter,
      // A mark of the daily tidy goes too: an attempt is under way.
      { $set: { attempt: null, unstoredSince: null } },
    ).lean<{ key: string }>();
  // A place is looked up by its submission, its number unknown: the sharer settles it again if
  // its share lands over the settling (see storeResponse).
  const found = await (key === undefined ? share() : claimWrite(campaignId, kind, key, share));
  if (found) claims.shared.push({ kind, key: found.key });
  return found !== null;
}

/**
 * Takes a unique claim; null when someone else holds it, else a function that gives it back. Only
 * the attempt that took a claim gives it back (`attempt` is its own random id). With `holder` (the
 * response a personal code is used for), a code the same submission holds is answered
 * {@link HELD_BY_SUBMISSION}: another attempt of it, still running or cut off, took it.
 */
export async function claim(
  campaignId: CampaignDoc['_id'],
  kind: 'token' | 'slot' | 'form',
  key: string,
  holder: Types.ObjectId | null = null,
): Promise<(() => Promise<unknown>) | typeof HELD_BY_SUBMISSION | null> {
  // Random, not a generated ObjectId, which would carry the time like `_id` (see claimId).
  const attempt = new Types.ObjectId(randomBytes(12));
  try {
    // Only a form's claim has a time (to be taken over from a request that died): a personal code's
    // claim with a time would tie the dwelling to its answer by when it was given.
    await CampaignClaim.create({
      _id: claimId(campaignId, kind, key),
      campaignId,
      kind,
      key,
      holder,
      attempt,
      at: kind === 'form' ? new Date() : null,
    });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    if (!holder || kind !== 'token') return null;
    const held = await CampaignClaim.findOne({ campaignId, kind, key }, { holder: 1 }).lean();
    return held?.holder?.equals(holder) ? HELD_BY_SUBMISSION : null;
  }
  return () =>
    claimWrite(campaignId, kind, key, () => CampaignClaim.deleteOne({ campaignId, kind, key, attempt }));
}

/** What {@link claim} answers for a personal code another attempt of the same submission holds. */
export const HELD_BY_SUBMISSION = 'held-by-submission' as const;

/** How many times {@link consumeToken} tries to share a code another attempt of the submission holds. */
const CLAIM_ROUNDS = 3;

/**
 * Takes one of the campaign's `responseLimit` places. Places are numbered; the next free
 * number is tried first, then the gaps a failed submission gave back.
 */
async function reserveSlot(campaign: CampaignDoc, id: Types.ObjectId, claims: AttemptClaims): Promise<void> {
  const limit = campaign.responseLimit;
  if (limit === null || limit === undefined) return;
  const campaignId = campaign._id;
  // A place this very submission holds already (another attempt of it, running or cut off, took
  // it) is shared rather than a second one taken.
  if (await shareClaim(campaignId, 'slot', id, claims)) return;
  const taken = await CampaignClaim.countDocuments({ campaignId, kind: 'slot' });
  for (const slot of [...range(taken, limit), ...range(0, Math.min(taken, limit))]) {
    const release = await claim(campaignId, 'slot', String(slot), id);
    if (typeof release === 'function') {
      claims.releases.push(Object.assign(release, { kind: 'slot' as const, key: String(slot) }));
      return;
    }
  }
  // Full, unless another attempt of this submission took its place after the first look (shared
  // with it) or stored the answers meanwhile.
  if (await shareClaim(campaignId, 'slot', id, claims)) return;
  if (await SurveyResponse.exists({ _id: id })) return;
  throw new GoneError('this survey has received all the answers it needed', 'FULL');
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
}

/** The invitation of a campaign with this token hash, or null. */
export function findInvitation(campaign: CampaignDoc, tokenHash: string) {
  return Invitation.findOne({ campaignId: campaign._id, tokenHash }, { _id: 1, used: 1 }).lean();
}

/** Marks an invitation used, or unused again when its code's claim is given back. */
function markInvitation(campaignId: Types.ObjectId, id: Types.ObjectId, used: boolean) {
  return Invitation.updateOne({ _id: id, campaignId }, { $set: { used } });
}

/** What a claim holds once its response is stored: no response, no attempt, no mark of the tidy. */
const SETTLED = { holder: null, attempt: null, unstoredSince: null };

/** Uses an invitation once: the claim on its id decides between concurrent submissions. */
async function consumeToken(
  campaign: CampaignDoc,
  tokenHash: string,
  holder: Types.ObjectId,
  claims: AttemptClaims,
): Promise<void> {
  const invitation = await findInvitation(campaign, tokenHash);
  if (!invitation)
    throw new AppError(403, 'INVALID_TOKEN', 'this personal code is not valid for this survey');
  const key = invitation._id.toHexString();
  const markUsed = (used: boolean) => markInvitation(campaign._id, invitation._id, used);
  let release = await claim(campaign._id, 'token', key, holder);
  // Another attempt of this submission holds the code, running or cut off: shared with it. If it
  // was given back or settled just now, it is taken again, a few rounds: another attempt may take
  // it again after a give-back, and on FerretDB a write from another process (a worker run apart
  // from the API) can land over a settling and name this submission again for a moment.
  for (let round = 0; release === HELD_BY_SUBMISSION && round < CLAIM_ROUNDS; round++) {
    if (await shareClaim(campaign._id, 'token', holder, claims, key)) return;
    release = await claim(campaign._id, 'token', key, holder);
  }
  if (release === HELD_BY_SUBMISSION) {
    // Stored meanwhile by another attempt: the insert below finds it.
    if (await SurveyResponse.exists({ _id: holder })) return;
    throw new AppError(503, 'BUSY', 'this answer is being stored; try again in a moment', [], {
      'Retry-After': '2',
    });
  }
  if (!release) {
    // Used by this very submission, stored meanwhile by another attempt (which cleared its name
    // from the claim): the insert below finds it.
    if (await SurveyResponse.exists({ _id: holder })) return;
    throw new ConflictError('this personal code has already been used', 'TOKEN_USED');
  }
  await markUsed(true);
  claims.releases.push(
    Object.assign(
      async () => {
        // Given back only if still this attempt's: once another attempt of the submission shared
        // it or stored the answers, the claim names no attempt, and the code stays used.
        const given = (await release()) as { deletedCount?: number };
        if (given.deletedCount) await markUsed(false);
      },
      { kind: 'token' as const, key },
    ),
  );
}

/**
 * After a response is stored: its code's and place's claims forget the response and the attempt
 * (a personal code's claim names the invitation, whose label is the dwelling), so no claim names
 * an answer and no attempt gives them back.
 */
async function settleClaims(
  campaign: CampaignDoc,
  id: Types.ObjectId,
  claims: AttemptClaims,
  logger: Logger,
) {
  // Only the claims this attempt took or shares: another attempt of the submission that took a
  // place besides gives it back itself.
  for (const { kind, key } of [...claims.releases, ...claims.shared]) {
    await claimWrite(campaign._id, kind, key, () =>
      CampaignClaim.updateOne({ campaignId: campaign._id, kind, key, holder: id }, { $set: SETTLED }),
    ).catch((err: unknown) =>
      logger.warn({ err: (err as Error).message, kind }, 'the claim of a stored response still names it'),
    );
  }
}

/** How long a claim may name answers that are not stored, once found so, before it is given back. */
export const ABANDONED_CLAIM_MS = 60 * 60 * 1000;

/**
 * The daily tidy of claims an attempt left behind when it stopped halfway: a personal code's or a
 * place's (under a response limit) claim that still names its response.
 * - The response is stored (the attempt stopped between storing the answers and settling the
 *   claim): the claim is settled, so no code's claim ties a dwelling to its answer for longer than
 *   a day, and the place is kept.
 * - It is not stored (stopped before storing it): the claim is marked with this pass's time, and
 *   given back (an invitation is unused again) by a pass at least {@link ABANDONED_CLAIM_MS} later
 *   that still finds nothing stored. Until then a retry of the same submission holds it, and any
 *   attempt still running has long finished or failed.
 */
export async function tidyClaims(now = new Date()): Promise<{ settled: number; released: number }> {
  const left = await CampaignClaim.find(
    { kind: { $in: ['token', 'slot'] }, holder: { $ne: null } },
    { campaignId: 1, kind: 1, key: 1, holder: 1, attempt: 1, unstoredSince: 1 },
  ).lean();
  let settled = 0;
  let released = 0;
  for (const c of left) {
    if (!c.holder) continue;
    const mine = { _id: c._id, holder: c.holder, attempt: c.attempt };
    const write = <T>(w: () => Promise<T>) => claimWrite(c.campaignId, c.kind, c.key, w);
    if (await SurveyResponse.exists({ _id: c.holder })) {
      const done = await write(() => CampaignClaim.updateOne(mine, { $set: SETTLED }));
      settled += done.modifiedCount;
    } else if (!c.unstoredSince) {
      await write(() => CampaignClaim.updateOne(mine, { $set: { unstoredSince: now } }));
    } else if (now.getTime() - c.unstoredSince.getTime() >= ABANDONED_CLAIM_MS) {
      const gone = await write(() => CampaignClaim.deleteOne(mine));
      if (!gone.deletedCount) continue;
      released++;
      if (c.kind === 'token' && Types.ObjectId.isValid(c.key))
        await markInvitation(c.campaignId, new Types.ObjectId(c.key), false);
    }
  }
  return { settled, released };
}

/**
 * When the drain job this process last queued will run: answers stored before then (with
 * {@link NUDGE_MARGIN_MS} to spare, for clocks that differ between hosts) need no nudge of their
 * own. Under load this turns a queue write per answer into a few per second.
 */
const drainRunsAt = new WeakMap<Queues, number>();
const NUDGE_MARGIN_MS = 100;

/**
 * The nudge this process has in flight, if any, and whether answers stored meanwhile still want
 * one. At most one waits on Redis: a Redis that holds its connections but does not answer would
 * otherwise collect a queue write per answer, all sent at once when it wakes.
 */
const nudgeInFlight = new WeakMap<Queues, { again: boolean }>();

/**
 * Asks the worker to count waiting answers soon (deduplicated: one drain per delay window).
 * Fire and forget: if Redis is away, the scheduled sweep counts the answer later.
 */
export function nudgeAggregation(
  deps: Pick<SubmissionDeps, 'queues' | 'logger' | 'aggregationDelayMs'>,
): void {
  if (!deps.queues.connected()) return;
  // A drain queued by this process runs after this answer's entry was written: it counts it too.
  const now = Date.now();
  if ((drainRunsAt.get(deps.queues) ?? 0) - now > NUDGE_MARGIN_MS) return;
  const inFlight = nudgeInFlight.get(deps.queues);
  if (inFlight) {
    // Sent again once the one in flight settles: then it is known to come after this answer.
    inFlight.again = true;
    return;
  }
  const state = { again: false };
  nudgeInFlight.set(deps.queues, state);
  const jobId = randomUUID();
  deps.queues
    .enqueue(
      JobName.drain,
      {},
      {
        jobId,
        deduplication: { id: 'drain', ttl: Math.max(deps.aggregationDelayMs, 1) },
        delay: deps.aggregationDelayMs,
      },
    )
    .then((job) => {
      // Our own id back: a new drain, due after the delay. Another id: one already waiting
      // (deduplicated), whose time this process does not know.
      if ((job as { id?: string } | null)?.id === jobId)
        drainRunsAt.set(deps.queues, now + deps.aggregationDelayMs);
    })
    .catch((err: unknown) =>
      deps.logger.warn(
        { err: (err as Error).message },
        'aggregation not nudged; the sweep will count the answer',
      ),
    )
    .finally(() => {
      nudgeInFlight.delete(deps.queues);
      if (state.again) nudgeAggregation(deps);
    });
}
