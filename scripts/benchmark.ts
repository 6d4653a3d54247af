/**
 * Aggregation and benchmark-read performance, measured on real servers.
 *
 *   npm run bench                                  # 300 organisations, 10,000 then 1,000,000 responses
 *   npm run bench -- --orgs 50 --small 2000 --large 50000   # a quick run
 *
 * Responses are generated through the models (insertMany), not the HTTP API. For each size:
 * - a raw cursor scan of the responses collection, in a child process (time, peak RSS);
 * - the full indicator rebuild, in a child process like a worker (time, peak RSS, values written),
 *   then again at once, when nothing changed (the nightly rebuild's usual case);
 * - GET /api/v1/benchmarks/TP01 at 100 concurrent clients for 20 s, after 3 s of warm-up,
 *   against the API in its own process (p50, p99 latency), asking for gzip and then not;
 * - 100 readers at once right after values change, when every cached answer is stale;
 * - one answer counted and published (submitted, then the inbox drained here), five times; then
 *   one answer to each of 20 organisations and one drain.
 * Then the floor: the same load against bare node:http and bare Express sending the API's
 * stored bytes, which is the most this machine gives any Node API.
 * `--backlog N` measures only this: N answers to one organisation waiting in the inbox (a long
 * Redis outage, a stopped worker), counted by drains until none is left; against a floor in
 * the same run, the least any drain does with them: N entries inserted into a collection of
 * their own, read once and removed in one statement.
 * `--profile DIR` writes a CPU profile of the API process there, `--profile-rebuild DIR` one
 * of each full rebuild. `--loader wrk` (or `both`)
 * drives the same load from wrk, a C client that takes far less of the machine than autocannon.
 * Uses MONGODB_URI / REDIS_URL when set, else starts local servers in a temporary directory.
 */
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import autocannon from 'autocannon';
import { Types } from 'mongoose';
import { ensureWrk } from '../src/local-services/binaries';
import { parseWrk, wrkArgs, type LoadFigures } from './wrk';
import { freePort } from '../src/local-services/servers';
import { openBenchServices, startApiProcess } from './api-process';
import { Campaign } from '../src/modules/campaigns/campaign.model';
import { createApiKey } from '../src/modules/organisations/api-keys.service';
import { Organisation, ORGANISATION_TYPES } from '../src/modules/organisations/organisation.model';
import { SurveyResponse } from '../src/modules/responses/response.model';
import { drainInbox } from '../src/modules/indicators/aggregation.service';
import { PendingAnswer } from '../src/modules/responses/inbox.model';
import {
  IndicatorValue,
  markValuesChanged,
  STAMP_TTL_MS,
} from '../src/modules/indicators/indicator-value.model';
import { Survey, SurveyVersion } from '../src/modules/surveys/survey.model';
import { checkContent } from '../src/modules/surveys/surveys.service';
import { findTemplate } from '../src/modules/surveys/templates';
import { BUILT_IN_INDICATORS } from '../src/modules/catalogue/catalogue';
import { contentHash } from '../src/canonical-json';

const run = promisify(execFile);
const root = path.resolve(__dirname, '..');
const { values: args } = parseArgs({
  options: {
    orgs: { type: 'string', default: '300' },
    small: { type: 'string', default: '10000' },
    large: { type: 'string', default: '1000000' },
    seconds: { type: 'string', default: '20' },
    profile: { type: 'string' },
    'profile-rebuild': { type: 'string' },
    loader: { type: 'string', default: 'autocannon' },
    backlog: { type: 'string' },
  },
});
const ORGS = Number(args.orgs);
const SIZES = [Number(args.small), Number(args.large)];
const SAT = ['very_satisfied', 'fairly_satisfied', 'neither', 'fairly_dissatisfied', 'very_dissatisfied'];
const log = (s: string) => process.stderr.write(`${s}\n`);

async function seed() {
  const template = findTemplate('pulse')!;
  const check = await checkContent(template, new Map(BUILT_IN_INDICATORS.map((d) => [d.id, d])));
  const survey = await Survey.create({
    organisationId: null,
    shared: true,
    slug: 'bench-pulse',
    title: 'Pulse',
    template: 'pulse',
    latestVersion: 1,
    draft: {
      definition: JSON.stringify(template.definition),
      indicatorMapping: JSON.stringify(template.indicatorMapping),
      languages: template.languages,
      basedOnVersion: 1,
      updatedAt: new Date(),
    },
  });
  await SurveyVersion.create({
    surveyId: survey._id,
    organisationId: null,
    version: 1,
    title: 'Pulse',
    definition: JSON.stringify(template.definition),
    indicatorMapping: JSON.stringify(template.indicatorMapping),
    questions: JSON.stringify(check.questions),
    languages: template.languages,
    contentHash: contentHash(template),
    publishedAt: new Date(),
  });
  const orgs = await Organisation.insertMany(
    Array.from({ length: ORGS }, (_, i) => ({
      slug: `bench-${i}`,
      name: `Bench organisation ${i}`,
      country: ['PL', 'GE', 'UA'][i % 3],
      region: `region-${i % 16}`,
      type: ORGANISATION_TYPES[i % ORGANISATION_TYPES.length],
      housingStock: 500 + ((i * 7919) % 30000),
      languages: ['en'],
    })),
  );
  const campaigns = [];
  for (const org of orgs) {
    for (const segment of ['estate:A', 'estate:B']) {
      campaigns.push({
        organisationId: org._id,
        surveyId: survey._id,
        version: 1,
        slug: `b${org._id.toHexString().slice(-8)}${segment.slice(-1).toLowerCase()}`,
        title: 'Pulse',
        period: '2026',
        segment,
        opensAt: new Date('2026-01-01'),
        access: 'open',
        languages: ['en'],
      });
    }
  }
  const created = await Campaign.insertMany(campaigns);
  const analyst = await createApiKey({ organisationId: orgs[0]!._id.toHexString(), role: 'analyst' });
  return { surveyId: survey._id, campaigns: created, key: analyst.key };
}

async function insertResponses(
  from: number,
  to: number,
  surveyId: Types.ObjectId,
  campaigns: Awaited<ReturnType<typeof seed>>['campaigns'],
) {
  const BATCH = 5000;
  let seed = from * 2654435761;
  const next = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const started = Date.now();
  for (let i = from; i < to; i += BATCH) {
    const docs = [];
    for (let j = i; j < Math.min(i + BATCH, to); j++) {
      const c = campaigns[j % campaigns.length]!;
      const answers: Record<string, unknown> = { overall_satisfaction: SAT[Math.floor(next() * 5)] };
      if (next() < 0.8) answers.recommend = Math.floor(next() * 11);
      docs.push({
        campaignId: c._id,
        organisationId: c.organisationId,
        surveyId,
        version: 1,
        period: '2026',
        segment: c.segment,
        submissionId: `bench-${j}`,
        locale: 'en',
        channel: 'link',
        answers,
        completedAt: new Date(),
      });
    }
    await SurveyResponse.collection.insertMany(docs, { ordered: false });
    if ((i - from) % 100000 === 0) log(`  inserted ${i + docs.length - from} / ${to - from}`);
  }
  log(`  inserted ${to - from} responses in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

async function child(
  mode: 'scan' | 'rebuild',
  mongodbUri: string,
): Promise<{ ms: number; responses: number; valuesWritten?: number; peakRssMb: number }> {
  const profile =
    mode === 'rebuild' && args['profile-rebuild']
      ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(args['profile-rebuild'])}`]
      : [];
  const script = ['--import', 'tsx', 'scripts/rebuild-once.ts', mode];
  const { stdout } = await run(process.execPath, [...profile, ...script], {
    cwd: root,
    env: { ...process.env, MONGODB_URI: mongodbUri, LOG_LEVEL: 'silent' },
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout.trim().split('\n').pop()!);
}

const READ_PATH = '/api/v1/benchmarks/TP01?period=2026';

type Loader = (url: string, headers: Record<string, string>) => Promise<LoadFigures>;

/**
 * 100 connections, each sending its next request as soon as the last answer arrives, from
 * autocannon: a Node client, so it takes a core's worth of the machine at these rates.
 */
const autocannonLoad: Loader = async (url, headers) => {
  // `warmup` is an autocannon option its type declarations do not list yet.
  const options: autocannon.Options & { warmup: { connections: number; duration: number } } = {
    url,
    connections: 100,
    duration: Number(args.seconds),
    headers,
    // Compiled code paths and open connections first, so the tail is the steady state's.
    warmup: { connections: 100, duration: 3 },
  };
  const result = await autocannon(options);
  return {
    requests: result.requests.total,
    perSecond: Math.round(result.requests.total / Number(args.seconds)),
    non2xx: result.non2xx,
    bytesPerResponse: Math.round(result.throughput.total / Math.max(result.requests.total, 1)),
    p50: result.latency.p50,
    p99: result.latency.p99,
  };
};

/**
 * The same load from wrk: one C thread drives the 100 connections, so the client leaves the
 * API most of the second core. wrk opens new connections for the measured run and corrects
 * for coordinated omission: the slow first answers on those connections (a busy Node process
 * accepts one connection per event-loop turn) count many times over in its p99.
 */
let wrkPath: string | null = null;
const wrkLoad: Loader = async (url, headers) => {
  wrkPath ??= ensureWrk(log);
  const common = wrkArgs(headers);
  await run(wrkPath, [...common, '-d3s', url]);
  const { stdout } = await run(wrkPath, [...common, `-d${args.seconds}s`, '--latency', url]);
  return parseWrk(stdout);
};

const LOADERS: Record<string, Loader> = { wrk: wrkLoad, autocannon: autocannonLoad };
const loaders = args.loader === 'both' ? ['wrk', 'autocannon'] : [args.loader];
for (const name of loaders)
  if (!LOADERS[name]) throw new Error(`unknown --loader ${name}: wrk, autocannon or both`);

/** Runs the load from each chosen client in turn. */
async function load(url: string, headers: Record<string, string>, label: string) {
  const byLoader: Record<string, LoadFigures> = {};
  for (const name of loaders) {
    const figures = await LOADERS[name]!(url, headers);
    log(
      `  ${label}, ${name}: p50 ${figures.p50} ms, p99 ${figures.p99} ms, ${figures.perSecond} req/s, ${figures.bytesPerResponse} B each with headers${figures.non2xx ? `, ${figures.non2xx} failed` : ''}`,
    );
    byLoader[name] = figures;
  }
  return byLoader;
}

async function loadTest(url: string, key: string) {
  const auth = { Authorization: `Bearer ${key}` };
  const check = await fetch(`${url}${READ_PATH}`, { headers: auth });
  const body = (await check.json()) as { organisations: unknown[]; summary: { median: number } };
  if (!check.ok) throw new Error(`benchmark read failed: ${check.status}`);
  const single = [];
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    await fetch(`${url}${READ_PATH}`, { headers: auth }).then((r) => r.arrayBuffer());
    single.push(performance.now() - t);
  }
  single.sort((a, b) => a - b);
  log(`  one client: median ${single[10]!.toFixed(1)} ms`);
  // Browsers, curl --compressed and most HTTP libraries ask for gzip; measure both forms.
  const gzip = await load(`${url}${READ_PATH}`, { ...auth, 'Accept-Encoding': 'gzip' }, 'gzip');
  const identity = await load(`${url}${READ_PATH}`, auth, 'identity');
  const afterChangeMs = await coldBurst(url, key);
  return {
    organisations: body.organisations.length,
    median: body.summary.median,
    gzip,
    identity,
    afterChangeMs,
  };
}

/**
 * Right after the aggregation changes any value every cached answer is stale, and the next
 * readers arrive together: 100 of them at once, after a trend read (another cached answer) has
 * made the API look up the new change stamp. Returns how long until all 100 had their answer.
 */
async function coldBurst(url: string, key: string): Promise<number> {
  const auth = { Authorization: `Bearer ${key}` };
  await markValuesChanged();
  await new Promise((r) => setTimeout(r, STAMP_TTL_MS + 50));
  await fetch(`${url}/api/v1/benchmarks/TP01/trend`, { headers: auth }).then((r) => r.arrayBuffer());
  await new Promise((r) => setTimeout(r, STAMP_TTL_MS));
  const started = performance.now();
  const statuses = await Promise.all(
    Array.from({ length: 100 }, () =>
      fetch(`${url}${READ_PATH}`, { headers: auth }).then(async (r) => {
        await r.arrayBuffer();
        return r.status;
      }),
    ),
  );
  const ms = Math.round(performance.now() - started);
  if (statuses.some((s) => s !== 200))
    throw new Error(`cold burst: statuses ${[...new Set(statuses)].join(', ')}`);
  log(`  100 readers right after a change: all answered in ${ms} ms`);
  return ms;
}

/** The gzip bytes of a benchmark answer, as the API sends them. */
function gzipBody(url: string, key: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    http
      .get(
        `${url}${READ_PATH}`,
        { headers: { Authorization: `Bearer ${key}`, 'Accept-Encoding': 'gzip' } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve(Buffer.concat(chunks)));
        },
      )
      .on('error', reject);
  });
}

/**
 * The same load against servers that only send the API's stored gzip bytes: plain node:http,
 * then Express with one route. What the machine allows before any work of the service.
 */
async function floor(apiUrl: string, key: string, dir: string) {
  const file = path.join(dir, 'benchmark-body.gz');
  writeFileSync(file, await gzipBody(apiUrl, key));
  const figures: Record<string, Record<string, LoadFigures>> = {};
  for (const mode of ['node', 'express']) {
    const port = await freePort();
    const proc = spawn(
      process.execPath,
      ['--import', 'tsx', 'scripts/floor-server.ts', mode, file, String(port)],
      { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        proc.stdout!.on('data', (d: Buffer) => d.toString().includes('listening') && resolve());
        proc.on('exit', (code) => reject(new Error(`the ${mode} floor server exited (${code})`)));
      });
      figures[mode] = await load(`http://127.0.0.1:${port}/`, {}, `floor, ${mode} serving the same bytes`);
    } finally {
      proc.kill('SIGTERM');
    }
  }
  return figures;
}

/**
 * The drain's cost with every organisation counted and published: one answer is submitted to one
 * organisation, then the inbox is drained here (as the worker would), five times.
 */
async function countOne(url: string, slugs: string[]) {
  const submit = async (slug: string, i: number) => {
    const res = await fetch(`${url}/api/v1/public/campaigns/${slug}/responses`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        submissionId: randomUUID(),
        locale: 'en',
        answers: { overall_satisfaction: SAT[i % SAT.length] },
      }),
    });
    if (res.status !== 201) throw new Error(`submission: ${res.status} ${await res.text()}`);
  };
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    await submit(slugs[0]!, i);
    const started = performance.now();
    const { counted } = await drainInbox();
    if (counted !== 1) throw new Error(`the drain counted ${counted} answers, not 1`);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  // Then one answer to each of 20 organisations (one per campaign of its own), and one drain.
  const spread = slugs.filter((_, i) => i % 2 === 0).slice(0, 20);
  for (const [i, slug] of spread.entries()) await submit(slug, i);
  const started = performance.now();
  const { counted, units } = await drainInbox();
  const spreadMs = Math.round(performance.now() - started);
  if (counted !== spread.length)
    throw new Error(`the drain counted ${counted} answers, not ${spread.length}`);
  return {
    medianMs: Math.round(times[2]!),
    maxMs: Math.round(times[4]!),
    twentyUnitsMs: spreadMs,
    units,
    values: await IndicatorValue.countDocuments(),
  };
}

/** N waiting answers to one organisation: drained to the end, and the floor (see the top). */
async function backlog(
  n: number,
  surveyId: Types.ObjectId,
  campaign: { _id: Types.ObjectId; organisationId: Types.ObjectId },
) {
  const entries = Array.from({ length: n }, (_, i) => ({
    _id: new Types.ObjectId(),
    campaignId: campaign._id,
    organisationId: campaign.organisationId,
    period: '2026',
    surveyId,
    version: 1,
    segment: '',
    answers: { overall_satisfaction: SAT[i % SAT.length], recommend: i % 11 },
    at: new Date(),
  }));
  const BATCH = 5000;
  const db = SurveyResponse.db.db!;
  const floorCollection = db.collection('bench_backlog_floor');
  for (let i = 0; i < n; i += BATCH) await floorCollection.insertMany(entries.slice(i, i + BATCH));
  let started = performance.now();
  const read = await floorCollection.find({}).toArray();
  await floorCollection.deleteMany({});
  const floorMs = Math.round(performance.now() - started);
  if (read.length !== n) throw new Error(`the floor read ${read.length} entries, not ${n}`);
  await floorCollection.drop();
  for (let i = 0; i < n; i += BATCH) {
    const some = entries.slice(i, i + BATCH);
    await SurveyResponse.collection.insertMany(
      some.map((e, j) => ({
        _id: e._id,
        campaignId: e.campaignId,
        organisationId: e.organisationId,
        surveyId,
        version: 1,
        period: '2026',
        segment: '',
        submissionId: `backlog-${i + j}`,
        locale: 'en',
        channel: 'link',
        answers: e.answers,
        completedAt: new Date(),
      })),
    );
    await PendingAnswer.collection.insertMany(some);
  }
  started = performance.now();
  let drains = 0;
  let counted = 0;
  for (let more = true; more; drains++) {
    const r = await drainInbox();
    counted += r.counted;
    more = r.counted > 0;
  }
  const drainMs = Math.round(performance.now() - started);
  if (counted !== n) throw new Error(`the drains counted ${counted} answers, not ${n}`);
  return {
    answers: n,
    drains,
    drainMs,
    perSecond: Math.round(n / (drainMs / 1000)),
    floorMs,
    overFloor: +(drainMs / floorMs).toFixed(2),
  };
}

async function main() {
  const bench = await openBenchServices('bench', log);
  const { mongodbUri, dir } = bench;
  const results = [];
  let api: Awaited<ReturnType<typeof startApiProcess>> | null = null;
  try {
    log(`seeding ${ORGS} organisations`);
    const { surveyId, campaigns, key } = await seed();
    if (args.backlog) {
      log(`a backlog of ${args.backlog} answers to one organisation`);
      console.log(JSON.stringify(await backlog(Number(args.backlog), surveyId, campaigns[0]!), null, 2));
      return;
    }
    api = await startApiProcess(mongodbUri, bench.redisUrl, { profileDir: args.profile });
    let have = 0;
    for (const size of SIZES) {
      log(`responses: ${size}`);
      await insertResponses(have, size, surveyId, campaigns);
      have = size;
      const scan = await child('scan', mongodbUri);
      log(`  raw scan ${scan.ms} ms, peak RSS ${scan.peakRssMb} MB`);
      const rebuild = await child('rebuild', mongodbUri);
      log(
        `  full rebuild ${rebuild.ms} ms, ${rebuild.valuesWritten} values written, peak RSS ${rebuild.peakRssMb} MB`,
      );
      const rebuildAgain = await child('rebuild', mongodbUri);
      log(
        `  again, nothing changed: ${rebuildAgain.ms} ms, ${rebuildAgain.valuesWritten} values written, peak RSS ${rebuildAgain.peakRssMb} MB`,
      );
      const reads = await loadTest(api.url, key);
      const counting = await countOne(
        api.url,
        campaigns.map((c) => c.slug),
      );
      log(
        `  one answer counted and published: median ${counting.medianMs} ms, max ${counting.maxMs} ms; one answer to each of ${counting.units} organisations, one drain: ${counting.twentyUnitsMs} ms`,
      );
      results.push({
        responses: size,
        scan,
        rebuild,
        rebuildAgain,
        rebuildOverScan: +(rebuild.ms / scan.ms).toFixed(2),
        reads,
        counting,
      });
    }
    const [small, large] = results;
    const summary = {
      organisations: ORGS,
      results,
      floor: await floor(api.url, key, dir),
      p99Ratio:
        small && large
          ? Object.fromEntries(
              loaders.map((name) => {
                const ratio = (form: 'gzip' | 'identity') =>
                  +(large.reads[form][name]!.p99 / Math.max(small.reads[form][name]!.p99, 0.001)).toFixed(2);
                return [name, { gzip: ratio('gzip'), identity: ratio('identity') }];
              }),
            )
          : null,
    };
    console.log(JSON.stringify(summary, null, 2));
  } finally {
    api?.proc.kill('SIGTERM');
    await bench.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
