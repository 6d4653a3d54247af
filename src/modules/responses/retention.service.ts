import { Types } from 'mongoose';
import type { Logger } from 'pino';
import type { AuthContext } from '../../http/context';
import type { LockRunner } from '../../queue/lock';
import { recordAudit } from '../audit/record';
import { AGGREGATION_LOCK } from '../indicators/aggregation.service';
import { Organisation, type OrganisationDoc } from '../organisations/organisation.model';
import { getOrganisation } from '../organisations/organisations.service';
import { PendingAnswer } from './inbox.model';
import { SurveyResponse } from './response.model';
import { UnitHead, latestState, unitHeadId } from './unit-state';

/** The retention setting as the API shows it. */
export function retentionView(org: OrganisationDoc) {
  return {
    organisation: org.slug,
    months: org.retentionMonths ?? null,
    description:
      org.retentionMonths === null || org.retentionMonths === undefined
        ? 'raw responses are kept'
        : `the raw responses of a period are deleted once its newest answer is ${org.retentionMonths} months old; its indicator values stay`,
  };
}

/** An organisation's retention setting. */
export async function getRetention(caller: AuthContext, orgRef: string) {
  return retentionView(await getOrganisation(caller, orgRef));
}

/** Sets (or with null, removes) how many months raw responses are kept. */
export async function setRetention(caller: AuthContext, orgRef: string, months: number | null) {
  const org = await getOrganisation(caller, orgRef);
  const after = await Organisation.findOneAndUpdate(
    { _id: org._id },
    { $set: { retentionMonths: months } },
    { new: true },
  ).lean<OrganisationDoc>();
  await recordAudit(caller, {
    action: 'organisation.retention-changed',
    resource: { type: 'organisation', id: org._id.toHexString() },
    organisationId: org._id.toHexString(),
    before: { months: org.retentionMonths ?? null },
    after: { months },
  });
  return retentionView(after!);
}

/** The date `months` calendar months before `now`. */
export function monthsBefore(now: Date, months: number): Date {
  const d = new Date(now.getTime());
  d.setUTCMonth(d.getUTCMonth() - months);
  return d;
}

const SYSTEM: AuthContext = { keyId: 'retention', organisationId: null, role: 'platform' };

/**
 * Deletes the raw responses of every period whose newest answer is older than its organisation's
 * retention setting. A period is deleted whole and only once everything in it is counted (no
 * answer waits in the inbox and its latest counts hold every stored response); its head is then
 * marked archived, so its counts, published values and weighted figures are final and a rebuild
 * keeps them. Runs under the aggregation lock: no count or rebuild runs meanwhile.
 */
export async function applyRetention(
  lock: LockRunner,
  logger?: Logger,
  now = new Date(),
): Promise<{ periods: number; responses: number; skipped: number }> {
  return lock(AGGREGATION_LOCK, async () => {
    let periods = 0;
    let responses = 0;
    let skipped = 0;
    const orgs = await Organisation.find({ retentionMonths: { $ne: null } }).lean<OrganisationDoc[]>();
    for (const org of orgs) {
      if (typeof org.retentionMonths !== 'number') continue;
      const cutoff = monthsBefore(now, org.retentionMonths);
      // Per period its count ($group with $sum, which FerretDB has), then its newest answer.
      const groups = await SurveyResponse.aggregate<{ _id: string; n: number }>([
        { $match: { organisationId: org._id } },
        { $group: { _id: '$period', n: { $sum: 1 } } },
      ]);
      for (const g of groups) {
        const newest = await SurveyResponse.findOne(
          { organisationId: org._id, period: g._id },
          { completedAt: 1 },
        )
          .sort({ completedAt: -1 })
          .lean();
        if (!newest || !(newest.completedAt < cutoff)) continue;
        const u = { organisationId: org._id.toHexString(), period: g._id };
        const waiting = await PendingAnswer.exists({ organisationId: org._id, period: g._id });
        const counted = await latestState(u);
        if (waiting || counted.responses !== g.n) {
          // Not everything is counted yet: the next run tries again.
          skipped++;
          continue;
        }
        await UnitHead.updateOne(
          { _id: unitHeadId(u) },
          {
            $set: { archivedAt: now },
            $setOnInsert: {
              organisationId: new Types.ObjectId(u.organisationId),
              period: u.period,
              rev: counted.rev,
            },
          },
          { upsert: true },
        );
        const deleted = await SurveyResponse.deleteMany({ organisationId: org._id, period: g._id });
        periods++;
        responses += deleted.deletedCount;
        await recordAudit(SYSTEM, {
          action: 'responses.purged',
          resource: { type: 'period', id: g._id },
          organisationId: org._id.toHexString(),
          after: { period: g._id, responses: deleted.deletedCount, olderThan: cutoff.toISOString() },
        });
      }
    }
    if (periods) logger?.info({ periods, responses }, 'raw responses deleted under retention settings');
    return { periods, responses, skipped };
  });
}
