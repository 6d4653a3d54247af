import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { validTsm } from '../../scripts/tsm-answers';
import {
  drainInbox,
  fullRebuild,
  unreflectedResponses,
} from '../../src/modules/indicators/aggregation.service';
import { Campaign } from '../../src/modules/campaigns/campaign.model';
import { UnitHead, UnitState, unitHeadId, unitStateId } from '../../src/modules/responses/unit-state';
import {
  createCampaignViaApi,
  createOrganisationViaApi,
  createPlatformKey,
  createTestContext,
  type TestContext,
} from '../support/harness';

/**
 * Aggregation over many units. The full rebuild reads where every unit stands once (FerretDB's
 * SQLite backend reads a whole collection for any lookup, also by _id, so a lookup per unit made
 * the rebuild grow with the square of the units), and a drain reads the campaigns' housing stock
 * once for all its units; both still do each unit's bookkeeping: a revision left unsettled by a
 * crash, a count that drifted, a head that lags, old revisions.
 */
let ctx: TestContext;

beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => {
  await ctx.close();
});

const SAT = ['very_satisfied', 'fairly_satisfied', 'neither', 'fairly_dissatisfied', 'very_dissatisfied'];
const db = () => mongoose.connection.db!;

/** The n published for a unit's TP01, all tenants. */
async function tp01(u: { organisationId: string; period: string }): Promise<number> {
  const value = await db()
    .collection('indicator_values')
    .findOne({
      organisationId: new mongoose.Types.ObjectId(u.organisationId),
      period: u.period,
      indicatorId: 'TP01',
      segment: '*',
    });
  return value!.n as number;
}

it('reads each unit once, mends what drifted, settles what a crash left, and keeps two revisions', async () => {
  const platform = await createPlatformKey();
  const units: Array<{ organisationId: string; period: string; sent: number; slug: string }> = [];
  for (let o = 0; o < 6; o++) {
    const admin = (await createOrganisationViaApi(ctx, platform, `rebuild-${o}`)).adminKey;
    const { campaign } = await createCampaignViaApi(ctx, admin);
    const sent = 2 + o;
    for (let i = 0; i < sent; i++) {
      const res = await ctx.http
        .post(`/api/v1/public/campaigns/${campaign.slug}/responses`)
        .send({ submissionId: randomUUID(), locale: 'en', answers: { overall_satisfaction: SAT[i % 5] } });
      expect(res.status).toBe(201);
      // Counted in two steps, so each unit has two revisions before the rebuild.
      if (i === 0) await drainInbox();
    }
    const stored = await db().collection('campaigns').findOne({ slug: campaign.slug });
    units.push({
      organisationId: stored!.organisationId.toHexString(),
      period: stored!.period,
      sent,
      slug: campaign.slug,
    });
    await drainInbox();
  }
  for (const u of units) expect(await tp01(u)).toBe(u.sent);
  for (const u of units) expect((await UnitHead.findById(unitHeadId(u)).lean())!.rev).toBe(2);
  const headOf = (u: (typeof units)[number]) => UnitHead.findById(unitHeadId(u)).lean();

  // A count that drifted: the latest revision of unit 1 says one answer fewer than stored.
  const drifted = units[1]!;
  const driftedRev = (await headOf(drifted))!.rev;
  await UnitState.updateOne({ _id: unitStateId(drifted, driftedRev) }, { $set: { responses: 1 } });
  // A crash between a revision and its bookkeeping: unit 2's head says its latest revision is not
  // settled, and an inbox entry of an answer that revision counted is still there.
  const crashed = units[2]!;
  const crashedRev = (await headOf(crashed))!.rev;
  const counted = await UnitState.findById(unitStateId(crashed, crashedRev), { applied: 1 }).lean();
  const leftOver = counted!.applied[0]!;
  const response = await db()
    .collection('responses')
    .findOne({ _id: new mongoose.Types.ObjectId(leftOver) });
  await db()
    .collection('aggregation_inbox')
    .insertOne({ ...response!, at: new Date() });
  await UnitHead.updateOne({ _id: unitHeadId(crashed) }, { $set: { cleaned: crashedRev - 1 } });

  const lookups = jest.spyOn(UnitState, 'findById');
  const rebuilt = await fullRebuild();
  const perUnitReads = lookups.mock.calls.length;
  lookups.mockRestore();

  // No lookup of a revision by key: the one read served every unit.
  expect(perUnitReads).toBe(0);
  expect(rebuilt.responses).toBe(units.reduce((a, u) => a + u.sent, 0));
  expect(rebuilt.mended).toBe(1);
  expect(await db().collection('aggregation_inbox').countDocuments()).toBe(0);
  expect(await unreflectedResponses()).toBe(0);
  for (const u of units) {
    expect(await tp01(u)).toBe(u.sent);
    const head = (await headOf(u))!;
    expect(head.cleaned).toBe(head.rev);
    expect(head.published).toBe(head.rev);
    const revisions = await UnitState.find(
      { organisationId: new mongoose.Types.ObjectId(u.organisationId) },
      {
        rev: 1,
      },
    ).lean();
    expect(revisions.map((r) => r.rev).sort((a, b) => a - b)).toEqual([head.rev - 1, head.rev]);
  }

  // Again: nothing drifted, the same numbers, still two revisions per unit.
  const again = await fullRebuild();
  expect(again.mended).toBe(0);
  for (const u of units) {
    expect(await tp01(u)).toBe(u.sent);
    expect(
      await UnitState.countDocuments({ organisationId: new mongoose.Types.ObjectId(u.organisationId) }),
    ).toBe(2);
  }
}, 120000);

it('a drain over many units reads the campaigns once, and still settles a crash and follows a lagging head', async () => {
  const platform = await createPlatformKey();
  const units: Array<{ organisationId: string; period: string; slug: string }> = [];
  const send = async (slug: string, i: number) => {
    const res = await ctx.http
      .post(`/api/v1/public/campaigns/${slug}/responses`)
      .send({ submissionId: randomUUID(), locale: 'en', answers: { overall_satisfaction: SAT[i % 5] } });
    expect(res.status).toBe(201);
  };
  for (let o = 0; o < 5; o++) {
    const admin = (await createOrganisationViaApi(ctx, platform, `drain-${o}`)).adminKey;
    const { campaign } = await createCampaignViaApi(ctx, admin);
    await send(campaign.slug, o);
    const stored = await db().collection('campaigns').findOne({ slug: campaign.slug });
    units.push({
      organisationId: stored!.organisationId.toHexString(),
      period: stored!.period,
      slug: campaign.slug,
    });
  }
  await drainInbox();
  // A crash after unit 0's revision: its head says the revision is not settled, an entry is back.
  const crashed = units[0]!;
  const rev = (await UnitHead.findById(unitHeadId(crashed)).lean())!.rev;
  const applied = (await UnitState.findById(unitStateId(crashed, rev), { applied: 1 }).lean())!.applied;
  const response = await db()
    .collection('responses')
    .findOne({ _id: new mongoose.Types.ObjectId(applied[0]!) });
  await db()
    .collection('aggregation_inbox')
    .insertOne({ ...response!, at: new Date() });
  await UnitHead.updateOne({ _id: unitHeadId(crashed) }, { $set: { cleaned: rev - 1 } });
  // Unit 1's head lags behind its latest revision.
  await UnitHead.updateOne({ _id: unitHeadId(units[1]!) }, { $set: { rev: 0 } });

  for (const [i, u] of units.entries()) await send(u.slug, i + 1);
  const campaignReads = jest.spyOn(Campaign, 'find');
  const drained = await drainInbox();
  const reads = campaignReads.mock.calls.length;
  campaignReads.mockRestore();

  expect(drained.counted).toBe(units.length);
  // The units' housing stock came from one read of the campaigns, not one per unit.
  expect(reads).toBe(1);
  expect(await db().collection('aggregation_inbox').countDocuments()).toBe(0);
  expect(await unreflectedResponses()).toBe(0);
  for (const u of units) expect(await tp01(u)).toBe(2);
}, 120000);

it('a rebuild never takes a published value away from readers, and writes only what changed', async () => {
  const platform = await createPlatformKey();
  const admin = (await createOrganisationViaApi(ctx, platform, 'rebuild-readers')).adminKey;
  const { campaign } = await createCampaignViaApi(ctx, admin);
  for (let i = 0; i < 12; i++) {
    const res = await ctx.http
      .post(`/api/v1/public/campaigns/${campaign.slug}/responses`)
      .send({ submissionId: randomUUID(), locale: 'en', answers: { overall_satisfaction: SAT[i % 5] } });
    expect(res.status).toBe(201);
  }
  await drainInbox();
  const values = db().collection<{ _id: string } & Record<string, unknown>>('indicator_values');
  const ids = async () =>
    (await values.find({}, { projection: { _id: 1 } }).toArray()).map((v) => v._id).sort();
  const published = await ids();
  const stored = await db().collection('campaigns').findOne({ slug: campaign.slug });
  const unit = { organisationId: stored!.organisationId.toHexString(), period: stored!.period as string };
  const total = await values.findOne({
    organisationId: new mongoose.Types.ObjectId(unit.organisationId),
    indicatorId: 'TP01',
    segment: '*',
  });
  expect(total!.n).toBe(12);
  // Weighted figures, as the weighting step adds them after a publication.
  const weighted = { value: 0.61, low: 0.4, high: 0.8, nEffective: 9.5 };
  await values.updateOne({ _id: total!._id }, { $set: { weighted } });

  // Readers meanwhile (an analyst's nightly pull) find every value at every moment. The rebuild
  // used to clear the collection and insert it again.
  let reading = true;
  const seen: number[] = [];
  const reader = (async () => {
    while (reading) seen.push((await values.find({}, { projection: { _id: 1 } }).toArray()).length);
  })();
  const first = await fullRebuild().finally(() => {
    reading = false;
  });
  await reader;
  expect(seen.length).toBeGreaterThan(0);
  expect(Math.min(...seen)).toBe(published.length);
  expect(await ids()).toEqual(published);
  // Kept until the unit is weighted again (the rebuild job does that next).
  expect((await values.findOne({ _id: total!._id }))!.weighted).toEqual(weighted);
  expect(first.valuesRemoved).toBe(0);

  // Nothing changed: nothing is written, and readers keep what they hold. A value that drifted is
  // written back, a value no unit publishes is removed.
  const stamp = () =>
    db()
      .collection('aggregation_state')
      .findOne({ _id: 'values' as never });
  const before = (await stamp())!.changedAt;
  expect((await fullRebuild()).valuesWritten).toBe(0);
  expect((await stamp())!.changedAt).toEqual(before);
  await values.updateOne({ _id: total!._id }, { $set: { n: 11, value: 0.1 } });
  await values.insertOne({ ...total!, _id: `${total!._id}-orphan`, segment: 'gone' });
  const mended = await fullRebuild();
  expect([mended.valuesWritten, mended.valuesRemoved]).toEqual([1, 1]);
  const back = await values.findOne({ _id: total!._id });
  expect([back!.n, back!.value]).toEqual([total!.n, total!.value]);
  expect(await ids()).toEqual(published);
  expect(await tp01(unit)).toBe(12);
}, 120000);

it('publishes and rebuilds units of many values, four units at once, on every supported server', async () => {
  // Four organisations with nine estates each: every TSM indicator per estate and in total, some
  // sixty values a unit. FerretDB 1.24 on PostgreSQL holds a connection for each statement of a
  // bulk update until the command ends (a pool of 50): a drain publishing four such units at once
  // used to leave it waiting for ever, answering nothing to anyone.
  const platform = await createPlatformKey();
  const units: Array<{ organisationId: string; period: string }> = [];
  const slugs: string[] = [];
  for (let o = 0; o < 4; o++) {
    const admin = (await createOrganisationViaApi(ctx, platform, `many-values-${o}`)).adminKey;
    for (let e = 0; e < 9; e++) {
      const { campaign } = await createCampaignViaApi(ctx, admin, {
        template: 'tsm-perception',
        campaign: { segment: `estate:E${e}` },
      });
      const res = await ctx.http
        .post(`/api/v1/public/campaigns/${campaign.slug}/responses`)
        .send({ submissionId: randomUUID(), locale: 'en', answers: validTsm() });
      expect(res.status).toBe(201);
      if (e === 0) {
        const stored = await db().collection('campaigns').findOne({ slug: campaign.slug });
        units.push({ organisationId: stored!.organisationId.toHexString(), period: stored!.period });
        slugs.push(campaign.slug);
      }
    }
  }
  const valuesOf = (u: (typeof units)[number]) =>
    db()
      .collection('indicator_values')
      .countDocuments({ organisationId: new mongoose.Types.ObjectId(u.organisationId), period: u.period });
  const drained = await drainInbox();
  expect(drained.counted).toBe(36);
  for (const u of units) {
    expect(await valuesOf(u)).toBeGreaterThanOrEqual(50);
    expect(await tp01(u)).toBe(9);
  }
  // One more answer to each: the next drain rewrites every value of the four units in place.
  for (const slug of slugs) {
    const res = await ctx.http
      .post(`/api/v1/public/campaigns/${slug}/responses`)
      .send({ submissionId: randomUUID(), locale: 'en', answers: validTsm() });
    expect(res.status).toBe(201);
  }
  expect((await drainInbox()).counted).toBe(4);
  for (const u of units) expect(await tp01(u)).toBe(10);
  // Every stored value disagrees with the counts: the rebuild rewrites them all in place.
  await db()
    .collection('indicator_values')
    .updateMany({}, { $set: { n: -1 } });
  const rebuilt = await fullRebuild();
  expect(rebuilt.valuesWritten).toBeGreaterThanOrEqual(200);
  for (const u of units) expect(await tp01(u)).toBe(10);
}, 180000);
