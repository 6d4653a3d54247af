/**
 * Weighting a period, measured on real servers: one organisation's period with N responses
 * (online, telephone and paper, the pulse survey's answers) counted into published values, and
 * margins by mode and by an answer. Then, each `--runs` times:
 * - the job that weights the period (reads its responses, rakes, writes every weighted figure);
 * - the floor: reading the same responses with the driver and nothing else, in the same run.
 *
 *   npm run bench:weighting -- --responses 10000 --runs 3
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Types } from 'mongoose';
import { drainInbox } from '../src/modules/indicators/aggregation.service';
import { createOrganisation } from '../src/modules/organisations/organisations.service';
import { PendingAnswer } from '../src/modules/responses/inbox.model';
import { SurveyResponse } from '../src/modules/responses/response.model';
import { createCampaign } from '../src/modules/campaigns/campaigns.service';
import { createSurvey, publishDraft } from '../src/modules/surveys/surveys.service';
import { putMargins } from '../src/modules/weighting/margins.service';
import { reweightUnit } from '../src/modules/weighting/weighted-publication';
import { openBenchServices } from './api-process';

const { values: args } = parseArgs({
  options: {
    responses: { type: 'string', default: '10000' },
    runs: { type: 'string', default: '3' },
  },
});
const N = Number(args.responses);
const RUNS = Number(args.runs);
const log = (s: string) => process.stderr.write(`${s}\n`);
const SCALE = ['very_satisfied', 'fairly_satisfied', 'neither', 'fairly_dissatisfied', 'very_dissatisfied'];
const MODES = ['online', 'online', 'online', 'telephone', 'paper'] as const;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  const services = await openBenchServices('weighting', log);
  try {
    const org = await createOrganisation(
      { slug: 'bench-weights', name: 'Bench', country: 'PL', type: 'city', housingStock: N * 4 },
      null,
    );
    const admin = { keyId: org.adminKey.id, organisationId: org.organisation.id, role: 'admin' as const };
    const survey = await createSurvey(admin, { slug: 'pulse-bench', template: 'pulse' });
    await publishDraft(admin, survey.id);
    const campaign = await createCampaign(admin, { surveyId: survey.id, period: '2026' }, 'http://bench');
    const base = {
      campaignId: new Types.ObjectId(campaign.id),
      organisationId: new Types.ObjectId(org.organisation.id),
      surveyId: new Types.ObjectId(survey.id),
      version: 1,
      period: '2026',
      segment: '',
    };
    log(`inserting ${N} responses`);
    for (let i = 0; i < N; i += 2000) {
      const batch = Array.from({ length: Math.min(2000, N - i) }, (_, j) => {
        const k = i + j;
        const answers = { overall_satisfaction: SCALE[(k * 7) % 5]!, recommend: k % 11 };
        return { _id: new Types.ObjectId(), ...base, mode: MODES[k % 5]!, answers };
      });
      await SurveyResponse.collection.insertMany(
        batch.map((r) => ({
          ...r,
          submissionId: randomUUID(),
          locale: 'en',
          channel: r.mode === 'online' ? 'link' : 'entry',
          serial: null,
          completedAt: new Date(),
          durationSeconds: null,
        })),
      );
      await PendingAnswer.collection.insertMany(batch.map((r) => ({ ...r, at: new Date() })));
    }
    await drainInbox();
    await putMargins(admin, 'bench-weights', '2026', {
      mode: { online: 0.5, telephone: 0.3, paper: 0.2 },
      overall_satisfaction: Object.fromEntries(SCALE.map((s) => [s, 0.2])),
    });
    const unit = { organisationId: org.organisation.id, period: '2026' };
    const job: number[] = [];
    const floor: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      let t = performance.now();
      const result = await reweightUnit(unit);
      job.push(performance.now() - t);
      if (result.status !== 'weighted') throw new Error(`not weighted: ${result.status}`);
      t = performance.now();
      let read = 0;
      for await (const doc of SurveyResponse.collection.find(
        { organisationId: base.organisationId, period: '2026' },
        { projection: { answers: 1, mode: 1, segment: 1, surveyId: 1, version: 1 } },
      ))
        read += doc ? 1 : 0;
      floor.push(performance.now() - t);
      if (read !== N) throw new Error(`read ${read} of ${N}`);
    }
    const result = {
      responses: N,
      runs: RUNS,
      jobMs: Math.round(median(job)),
      floorMs: Math.round(median(floor)),
      ratio: Number((median(job) / median(floor)).toFixed(2)),
    };
    console.log(JSON.stringify(result));
  } finally {
    await services.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
