import type { Logger } from 'pino';
import { withTimeout } from '../../db/connection';
import { AppError, ConflictError, GoneError, ValidationError } from '../../errors';
import { JobName, bucketJobId } from '../../queue/jobs';
import type { Queues } from '../../queue/queues';
import { CampaignClaim, Invitation, type CampaignDoc } from '../campaigns/campaign.model';
import { currentStatus, hashToken, publicCampaign } from '../campaigns/campaigns.service';
import { checkAnswersOffThread } from '../../validation/validation-pool';
import type { FileLimits } from './answer-validator';
import { SurveyResponse, type ResponseDoc } from './response.model';

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

/**
 * Stores a tenant's answers once. The order matters:
 * 1. a known submissionId answers 200 with the first id, even after the campaign closed,
 *    so a phone that retries after a lost confirmation is never told it failed;
 * 2. closed, not yet open or full campaigns answer 410 (not yet open: 403);
 * 3. the answers are re-validated against the pinned version (422, nothing stored);
 * 4. a place under the response limit and the invitation token are claimed through unique
 *    indexes, and given back if the insert does not happen;
 * 5. after the durable write, the bucket's recompute is queued; if Redis is down the
 *    bucket's recorded count falls behind its responses and the reconcile job picks it up.
 */
export async function submitResponse(
  slug: string,
  input: Submission,
  deps: SubmissionDeps,
): Promise<SubmissionResult> {
  const { campaign, version } = await publicCampaign(slug);
  const existing = await SurveyResponse.findOne(
    { campaignId: campaign._id, submissionId: input.submissionId },
    { _id: 1 },
  ).lean();
  if (existing) return { id: existing._id.toHexString(), created: false };

  const status = await currentStatus(campaign);
  if (status === 'scheduled')
    throw new AppError(403, 'NOT_YET_OPEN', `this survey opens on ${campaign.opensAt.toISOString()}`);
  if (status === 'closed') throw new GoneError('this survey has closed', 'CLOSED');
  if (status === 'full') throw new GoneError('this survey has received all the answers it needed', 'FULL');
  if (!campaign.languages.includes(input.locale)) {
    throw new ValidationError('unsupported language', [
      { path: '/locale', message: `this survey runs in ${campaign.languages.join(', ')}` },
    ]);
  }
  if (campaign.access === 'invite' && !input.token) {
    throw new AppError(403, 'INVITATION_REQUIRED', 'this survey needs the personal code from your letter');
  }

  const { errors, answers: clean } = await checkAnswersOffThread(
    version.definition,
    input.answers,
    input.locale,
    deps.files,
  );
  if (errors.length) throw new ValidationError('the answers are not valid for this survey', errors);

  const releases: Array<() => Promise<unknown>> = [];
  try {
    await reserveSlot(campaign, releases);
    const channel = campaign.access === 'invite' ? 'letter' : (input.channel ?? 'link');
    if (input.token) await consumeToken(campaign, input.token, releases);
    const now = new Date();
    const started = input.startedAt ? Date.parse(input.startedAt) : NaN;
    const doc = await SurveyResponse.create({
      campaignId: campaign._id,
      organisationId: campaign.organisationId,
      surveyId: campaign.surveyId,
      version: campaign.version,
      period: campaign.period,
      segment: campaign.segment,
      submissionId: input.submissionId,
      locale: input.locale,
      channel,
      answers: clean,
      completedAt: now,
      durationSeconds:
        Number.isFinite(started) && started < now.getTime()
          ? Math.round((now.getTime() - started) / 1000)
          : null,
    });
    await enqueueBucket(doc.toObject() as ResponseDoc, deps);
    return { id: doc._id.toHexString(), created: true };
  } catch (err) {
    await Promise.allSettled(releases.map((r) => r()));
    if ((err as { code?: number }).code === 11000) {
      // The same submissionId raced itself: the other request stored it.
      const winner = await SurveyResponse.findOne(
        { campaignId: campaign._id, submissionId: input.submissionId },
        { _id: 1 },
      ).lean();
      if (winner) return { id: winner._id.toHexString(), created: false };
    }
    throw err;
  }
}

/** Takes a unique claim; false when someone else holds it. */
async function claim(
  campaignId: CampaignDoc['_id'],
  kind: 'token' | 'slot',
  key: string,
): Promise<(() => Promise<unknown>) | null> {
  try {
    await CampaignClaim.create({ campaignId, kind, key });
  } catch (err) {
    if ((err as { code?: number }).code === 11000) return null;
    throw err;
  }
  return () => CampaignClaim.deleteOne({ campaignId, kind, key });
}

/**
 * Takes one of the campaign's `responseLimit` places. Places are numbered; the next free
 * number is tried first, then the gaps a failed submission gave back.
 */
async function reserveSlot(campaign: CampaignDoc, releases: Array<() => Promise<unknown>>): Promise<void> {
  const limit = campaign.responseLimit;
  if (limit === null || limit === undefined) return;
  const taken = await CampaignClaim.countDocuments({ campaignId: campaign._id, kind: 'slot' });
  const order = [...range(taken, limit), ...range(0, Math.min(taken, limit))];
  for (const slot of order) {
    const release = await claim(campaign._id, 'slot', String(slot));
    if (release) {
      releases.push(release);
      return;
    }
  }
  throw new GoneError('this survey has received all the answers it needed', 'FULL');
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
}

/** Uses an invitation once: the claim on its id decides between concurrent submissions. */
async function consumeToken(
  campaign: CampaignDoc,
  token: string,
  releases: Array<() => Promise<unknown>>,
): Promise<void> {
  const invitation = await Invitation.findOne(
    { campaignId: campaign._id, tokenHash: hashToken(token) },
    { _id: 1 },
  ).lean();
  if (!invitation)
    throw new AppError(403, 'INVALID_TOKEN', 'this personal code is not valid for this survey');
  const release = await claim(campaign._id, 'token', invitation._id.toHexString());
  if (!release) throw new ConflictError('this personal code has already been used', 'TOKEN_USED');
  await Invitation.updateOne({ _id: invitation._id }, { $set: { used: true } });
  releases.push(async () => {
    await Invitation.updateOne({ _id: invitation._id }, { $set: { used: false } });
    await release();
  });
}

/**
 * Queues the recompute of a response's bucket. Jobs of one bucket share an id while they
 * wait, so a burst of answers collapses into one recompute after `aggregationDelayMs`.
 * Failure is not fatal: the response is stored, and reconcile will find it.
 */
export async function enqueueBucket(
  r: Pick<ResponseDoc, 'organisationId' | 'surveyId' | 'period' | 'segment'>,
  deps: Pick<SubmissionDeps, 'queues' | 'logger' | 'aggregationDelayMs'>,
): Promise<boolean> {
  const payload = {
    organisationId: r.organisationId.toHexString(),
    surveyId: r.surveyId.toHexString(),
    period: r.period,
    segment: r.segment ?? '',
  };
  try {
    // Throttle mode with ttl = delay: any add deduplicated into a waiting job happened
    // before that job starts reading, so its response is counted.
    const add = deps.queues.aggregation.add(JobName.recomputeBucket, payload, {
      deduplication: { id: bucketJobId(payload), ttl: Math.max(deps.aggregationDelayMs, 1) },
      delay: deps.aggregationDelayMs,
    });
    await withTimeout(add, 1000);
    return true;
  } catch (err) {
    deps.logger.warn(
      { err: (err as Error).message, bucket: bucketJobId(payload) },
      'aggregation not queued; reconcile will pick it up',
    );
    return false;
  }
}
