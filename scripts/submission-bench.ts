/**
 * Submissions and stalls, measured on real servers:
 *
 *   npm run bench:submissions                       # 10 s per load
 *   npm run bench:submissions -- --seconds 5 --stored 10000
 *
 * - survey-core alone: the CPU one check of TSM answers costs on a reused model, in a loop in
 *   this process (the validation threads' own function), the part of a submission's CPU that no
 *   change around it can remove; beside it, the same answers checked again and again.
 * - Validated submissions of the TSM template at 10 and 100 connections (autocannon, every
 *   request a fresh submissionId and the next of 10,000 different valid answer sets), against
 *   the API in its own process, beside the floor: bare Express inserting the same body with the
 *   driver, in the same run on the same database; and
 *   beside the validated floor: the same with survey-core's check of the answers first, on the
 *   event loop, the least any validated submission costs here.
 *   CPU per accepted submission comes from /proc, for the server under load (the API, or the
 *   floor's process: all its threads, and its main thread alone, which runs the event loop) and
 *   for the database server when this benchmark started it. What survey-core's check adds to a
 *   server in the same run is the validated floor's CPU less the floor's: in a server, between
 *   requests and driver calls, the check costs more than in the tight loop of the first phase.
 * - Stalls: /healthz is probed one request at a time while the heaviest definition the
 *   service accepts is validated (4 at once), while answers to it are submitted (4 at once),
 *   and for each definition that used to block the event loop (a catastrophic regex, 3,000
 *   pages, 20,000 choices, a question named "constructor") the status and time are shown.
 * - Catch-up: the worker starts only now, so it first counts every answer the load phases stored
 *   (thousands in seconds); the time until the load's organisation's TP01 counts them all.
 * - Freshness: with the worker running (and caught up), submissions are offered at `--rate` per
 *   second (open loop) for the same time, and for each accepted one the time from its 201 until
 *   the organisation's published TP01 n includes it is measured.
 * `--profile DIR` writes a CPU profile of the API's main thread there (open it in Chrome's
 * DevTools, or summarise it with `npx tsx scripts/profile-summary.ts DIR/<file>.cpuprofile`).
 * `--connections 10,100` chooses the loads; `--warmup S` (3 unless given) runs each load for S
 * seconds before it is measured, for the service and the floor alike; `--rounds N` measures
 * each load N times (service, floor and validated floor in turn each round) and reports the
 * round with the median ratio, with every round's rate, floor, ratio and CPU beside it. `--stored N` first inserts
 * N responses of other organisations (in bulk, as already counted history); `--only
 * core,load,freshness,stalls` picks phases.
 * Uses MONGODB_URI / REDIS_URL when set, else starts local servers in a temporary directory.
 */
import { randomUUID } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Types } from 'mongoose';
import { freePort } from '../src/local-services/servers';
import { IndicatorValue, indicatorValueId } from '../src/modules/indicators/indicator-value.model';
import { createApiKey } from '../src/modules/organisations/api-keys.service';
import { SurveyResponse } from '../src/modules/responses/response.model';
import { checkAnswers, NEEDS_DEFINITION } from '../src/validation/validation.worker';
import { openBenchServices, startApiProcess, startWorkerProcess } from './api-process';
import { tsmAnswerSets, tsmDefinition } from './tsm-answers';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    stored: { type: 'string', default: '0' },
    rate: { type: 'string', default: '100' },
    only: { type: 'string', default: 'core,load,freshness,stalls' },
    profile: { type: 'string' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '10,100' },
    rounds: { type: 'string', default: '1' },
  },
});
const SECONDS = Number(args.seconds);
const WARMUP_SECONDS = Number(args.warmup);
const PHASES = new Set(args.only.split(','));
/** Rounds of each load (service, floor, validated floor in turn): this machine's speed varies. */
const ROUNDS = Math.max(1, Number(args.rounds));
const log = (s: string) => process.stderr.write(`${s}\n`);
const root = path.resolve(__dirname, '..');

/**
 * Different valid answer sets, posted in turn: survey-core's check of a model given the same
 * answers again and again costs about 60% of what it costs on answers that change from one
 * tenant to the next (shown questions, cleared values), so a benchmark of one answer set would
 * flatter every figure.
 */
const ANSWER_SETS = tsmAnswerSets(10_000);
let nextSet = 0;
const nextAnswers = () => ANSWER_SETS[nextSet++ % ANSWER_SETS.length]!;

/** The heaviest definition the service accepts: 100 pages, 500 questions, 5,000 choices. */
function largest(): Record<string, unknown> {
  return {
    pages: Array.from({ length: 100 }, (_, p) => ({
      name: `p${p}`,
      elements: Array.from({ length: 5 }, (_, i) => ({
        type: 'radiogroup',
        name: `q${p}_${i}`,
        visibleIf: i > 0 ? `{q${p}_0} != 'c9'` : undefined,
        choices: Array.from({ length: 10 }, (_, c) => `c${c}`),
      })),
    })),
  };
}

async function api(url: string, key: string, method: string, route: string, body?: unknown) {
  const res = await fetch(`${url}${route}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a benchmark reads answers loosely
  const json = (await res.json().catch(() => ({}))) as Record<string, any>;
  return { status: res.status, body: json };
}

async function campaignOf(url: string, key: string, slug: string, content: Record<string, unknown>) {
  const survey = await api(url, key, 'POST', '/api/v1/surveys', { slug, ...content });
  if (survey.status !== 201) throw new Error(`survey: ${JSON.stringify(survey.body)}`);
  await api(url, key, 'POST', `/api/v1/surveys/${survey.body.id}/versions`);
  const campaign = await api(url, key, 'POST', '/api/v1/campaigns', {
    surveyId: survey.body.id,
    period: '2026',
  });
  if (campaign.status !== 201) throw new Error(`campaign: ${JSON.stringify(campaign.body)}`);
  return campaign.body.slug as string;
}

/** Fields of /proc/PID/stat after the command name (the state is field 0). */
function statFields(pid: number | string): string[] | null {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  } catch {
    return null;
  }
}

/** User + system CPU so far, in milliseconds, of a process (all its threads) or of `PID/task/TID`. */
function cpuMs(pid: number | string): number {
  const fields = statFields(pid)!;
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** User + system CPU so far of a process's main thread (the event loop), in milliseconds. */
function mainThreadCpuMs(pid: number): number {
  return cpuMs(`${pid}/task/${pid}`);
}

/**
 * CPU so far of the database's processes, in milliseconds: each process, the children it has
 * waited for, and its living children (PostgreSQL serves each connection from a child process).
 */
function databaseCpuMs(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const f = statFields(pid)!;
    ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  }
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const f = statFields(entry);
    if (f && pids.includes(Number(f[1]))) ticks += Number(f[11]) + Number(f[12]);
  }
  return (ticks * 1000) / 100;
}

/** a − b to two decimals, null when either is unknown. */
function difference(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : +(a - b).toFixed(2);
}

/**
 * Submissions at `connections` for SECONDS, after WARMUP_SECONDS of the same load that are not
 * counted (the JIT compiles the hot path first, in the service as in the floor).
 */
async function submissions(url: string, slug: string, connections: number, pids: Pids) {
  if (WARMUP_SECONDS > 0) await submissionLoad(url, slug, connections, WARMUP_SECONDS);
  const before = {
    server: cpuMs(pids.server),
    main: mainThreadCpuMs(pids.server),
    db: pids.db.length ? databaseCpuMs(pids.db) : 0,
  };
  const result = await submissionLoad(url, slug, connections, SECONDS);
  const accepted = result['2xx'];
  const per = (ms: number) => (accepted ? +(ms / accepted).toFixed(2) : null);
  return {
    connections,
    perSecond: +(accepted / SECONDS).toFixed(1),
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    serverCpuMsPerSubmission: per(cpuMs(pids.server) - before.server),
    mainThreadCpuMsPerSubmission: per(mainThreadCpuMs(pids.server) - before.main),
    dbCpuMsPerSubmission: pids.db.length ? per(databaseCpuMs(pids.db) - before.db) : null,
  };
}

/** The processes whose CPU a load is charged: the server under test, and the database when started here. */
interface Pids {
  server: number;
  db: number[];
}

/**
 * CPU per answer check of survey-core alone, in this process: the answer sets the loads post,
 * judged in turn by the validation threads' own function on one reused model, after 500 checks
 * of warm-up (each of which must pass); beside it, one answer set judged again and again.
 */
function surveyCoreAlone(checks: number) {
  const files = { fileBytes: 1_000_000, responseBytes: 10_000_000, types: ['image/*'] };
  const task = (i: number) => ({
    key: 'bench',
    answers: ANSWER_SETS[i % ANSWER_SETS.length]!,
    lang: 'en',
    files,
  });
  const cpuMs = (run: () => void) => {
    const before = process.cpuUsage();
    run();
    const used = process.cpuUsage(before);
    return +((used.user + used.system) / 1000 / checks).toFixed(2);
  };
  checkAnswers({ ...task(0), definition: JSON.stringify(tsmDefinition()) });
  for (let i = 0; i < 500; i++) {
    const outcome = checkAnswers(task(i));
    if (outcome === NEEDS_DEFINITION || outcome.errors.length)
      throw new Error(`answer set ${i}: ${JSON.stringify(outcome)}`);
  }
  const cpuMsPerCheck = cpuMs(() => {
    for (let i = 0; i < checks; i++) checkAnswers(task(500 + i));
  });
  const sameAnswersCpuMsPerCheck = cpuMs(() => {
    for (let i = 0; i < checks; i++) checkAnswers(task(0));
  });
  return { checks, cpuMsPerCheck, sameAnswersCpuMsPerCheck };
}

function submissionLoad(url: string, slug: string, connections: number, seconds: number) {
  return autocannon({
    url: `${url}/api/v1/public/campaigns/${slug}/responses`,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        setupRequest: (req) => ({
          ...req,
          body: JSON.stringify({ submissionId: randomUUID(), locale: 'en', answers: nextAnswers() }),
        }),
      },
    ],
  });
}

/** Probes /healthz one request at a time while `work` runs; latency quantiles in ms. */
async function probeDuring(url: string, work: () => Promise<unknown>) {
  const times: number[] = [];
  let failed = 0;
  let done = false;
  const probing = (async () => {
    while (!done) {
      const t = performance.now();
      const ok = await fetch(`${url}/healthz`)
        .then((r) => r.arrayBuffer())
        .then(
          () => true,
          () => false,
        );
      if (ok) times.push(performance.now() - t);
      else failed++;
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  const t = performance.now();
  const outcome = await work().catch((err: Error) => ({ error: err.message }));
  const workMs = Math.round(performance.now() - t);
  done = true;
  await probing;
  times.sort((a, b) => a - b);
  const q = (p: number) => +times[Math.min(times.length - 1, Math.floor(p * times.length))]!.toFixed(1);
  if (!times.length) return { workMs, outcome, healthz: { probes: 0, failed } };
  return { workMs, outcome, healthz: { probes: times.length, failed, p50: q(0.5), p99: q(0.99), max: q(1) } };
}

async function repeat(n: number, parallel: number, one: () => Promise<number>) {
  const statuses: Record<string, number> = {};
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next++ < n) {
        const s = String(await one());
        statuses[s] = (statuses[s] ?? 0) + 1;
      }
    }),
  );
  return statuses;
}

/**
 * Waits until the organisation's published TP01 n counts every response it has stored (every
 * benchmark answer has TP01), from the moment the worker was started; at most 5 minutes.
 */
async function caughtUp(orgId: string) {
  const started = performance.now();
  const responses = await SurveyResponse.countDocuments({ organisationId: new Types.ObjectId(orgId) });
  const key = indicatorValueId(orgId, 'TP01', '2026', '*');
  let n = 0;
  while (performance.now() - started < 300_000) {
    n = (await IndicatorValue.findById(key, { n: 1 }).lean())?.n ?? 0;
    if (n >= responses) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return { responses, counted: n, ms: Math.round(performance.now() - started) };
}

/**
 * Offers `rate` submissions per second for SECONDS (open loop: a slow answer does not slow the
 * offer) to a campaign of `orgId` in 2026, and polls the organisation's published TP01 n every
 * 20 ms. The k-th accepted submission is fresh once n ≥ k (TP01 is answered in every one).
 */
async function measureFreshness(url: string, slug: string, orgId: string, rate: number) {
  const accepted: number[] = [];
  const seenAt: number[] = [];
  let statuses: Record<string, number> = {};
  let polling = true;
  const key = indicatorValueId(orgId, 'TP01', '2026', '*');
  // One answer first, counted before the clock starts: the worker has started and warmed up.
  await fetch(`${url}/api/v1/public/campaigns/${slug}/responses`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ submissionId: randomUUID(), locale: 'en', answers: nextAnswers() }),
  });
  for (let i = 0; i < 600 && !(await IndicatorValue.findById(key, { n: 1 }).lean()); i++)
    await new Promise((r) => setTimeout(r, 100));
  seenAt.push(0);
  accepted.push(0);
  const poller = (async () => {
    while (polling) {
      const v = await IndicatorValue.findById(key, { n: 1 }).lean();
      const n = v?.n ?? 0;
      const now = performance.now();
      while (seenAt.length < n) seenAt.push(now);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const sends: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < rate * SECONDS; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    sends.push(
      fetch(`${url}/api/v1/public/campaigns/${slug}/responses`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ submissionId: randomUUID(), locale: 'en', answers: nextAnswers() }),
      }).then(
        async (r) => {
          await r.arrayBuffer();
          if (r.status === 201) accepted.push(performance.now());
          statuses[r.status] = (statuses[r.status] ?? 0) + 1;
        },
        () => {
          statuses = { ...statuses, error: (statuses.error ?? 0) + 1 };
        },
      ),
    );
  }
  await Promise.all(sends);
  const offeredFor = (performance.now() - start) / 1000;
  const deadline = performance.now() + 60_000;
  while (seenAt.length < accepted.length && performance.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  polling = false;
  await poller;
  accepted.sort((a, b) => a - b);
  accepted.shift();
  seenAt.shift();
  // Counted before its 201 reached the client (the answer was still on its way): fresh at once.
  const lags = accepted.map((t, k) => Math.max(0, (seenAt[k] ?? Infinity) - t)).sort((a, b) => a - b);
  const q = (p: number) => +lags[Math.min(lags.length - 1, Math.floor(p * lags.length))]!.toFixed(0);
  return {
    offeredPerSecond: rate,
    acceptedPerSecond: +(accepted.length / offeredFor).toFixed(1),
    statuses,
    freshnessMs: lags.length ? { p50: q(0.5), p95: q(0.95), max: q(1) } : null,
    neverSeen: accepted.length - Math.min(seenAt.length, accepted.length),
  };
}

async function main() {
  const bench = await openBenchServices('subbench', log);
  const { mongodbUri } = bench;
  const procs: ChildProcess[] = [];
  try {
    const stored = Number(args.stored);
    if (stored > 0) {
      log(`storing ${stored} responses of other organisations`);
      const docs = () => ({
        campaignId: new Types.ObjectId(),
        organisationId: new Types.ObjectId(),
        surveyId: new Types.ObjectId(),
        version: 1,
        period: '2026',
        segment: '',
        submissionId: randomUUID(),
        locale: 'en',
        channel: 'link',
        answers: nextAnswers(),
        completedAt: new Date(),
      });
      const t0 = Date.now();
      for (let done = 0; done < stored; done += 5000) {
        await SurveyResponse.collection.insertMany(
          Array.from({ length: Math.min(5000, stored - done) }, () => ({
            _id: new Types.ObjectId(),
            ...docs(),
          })),
          { ordered: false },
        );
        if ((done / 5000) % 40 === 0) log(`  ${done} stored (${Math.round((Date.now() - t0) / 1000)} s)`);
      }
    }
    const platform = (await createApiKey({ organisationId: null, role: 'platform', label: 'bench' })).key;
    const apiProc = await startApiProcess(mongodbUri, bench.redisUrl, {
      env: { RATE_LIMIT_PER_MINUTE: '1000000' },
      profileDir: args.profile,
    });
    procs.push(apiProc.proc);
    const { url } = apiProc;
    const org = await api(url, platform, 'POST', '/api/v1/organisations', {
      slug: 'bench-city',
      name: 'Bench City',
      country: 'PL',
      type: 'city',
      housingStock: 10000,
    });
    const admin = org.body.adminKey.key as string;
    const tsm = await campaignOf(url, admin, 'bench-tsm', { template: 'tsm-perception' });

    const startFloor = async (mode: 'insert' | 'validated') => {
      const port = await freePort();
      const proc = spawn(
        process.execPath,
        ['--import', 'tsx', 'scripts/floor-server.ts', mode, mongodbUri, String(port)],
        { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
      );
      procs.push(proc);
      await new Promise((r) => proc.stdout!.once('data', r));
      return { url: `http://127.0.0.1:${port}`, pid: proc.pid! };
    };
    const floor = await startFloor('insert');
    const validatedFloor = await startFloor('validated');

    let surveyCore = null;
    if (PHASES.has('core')) {
      log('survey-core alone');
      surveyCore = surveyCoreAlone(3000);
      log(`  ${JSON.stringify(surveyCore)}`);
    }

    const db = bench.databasePids;
    const load = [];
    for (const connections of PHASES.has('load') ? args.connections.split(',').map(Number) : []) {
      log(`submissions at ${connections} connections`);
      const rounds = [];
      for (let round = 1; round <= ROUNDS; round++) {
        if (ROUNDS > 1) log(`  round ${round} of ${ROUNDS}`);
        const service = await submissions(url, tsm, connections, { server: apiProc.proc.pid!, db });
        const bare = await submissions(floor.url, 'floor', connections, { server: floor.pid, db });
        const validated = await submissions(validatedFloor.url, 'floor', connections, {
          server: validatedFloor.pid,
          db,
        });
        rounds.push({
          connections,
          service,
          floor: bare,
          validatedFloor: validated,
          ratio: +(service.perSecond / bare.perSecond).toFixed(3),
          validatedFloorRatio: +(validated.perSecond / bare.perSecond).toFixed(3),
          serviceToValidatedFloor: +(service.perSecond / validated.perSecond).toFixed(3),
          surveyCoreInServerCpuMs: difference(
            validated.serverCpuMsPerSubmission,
            bare.serverCpuMsPerSubmission,
          ),
        });
        log(`  ${JSON.stringify(rounds.at(-1))}`);
      }
      // Several rounds: the one with the median ratio, and each round's figures beside it.
      const median = [...rounds].sort((a, b) => a.ratio - b.ratio)[Math.floor((rounds.length - 1) / 2)]!;
      load.push(
        ROUNDS > 1
          ? {
              ...median,
              rounds: rounds.map((r) => ({
                perSecond: r.service.perSecond,
                floorPerSecond: r.floor.perSecond,
                ratio: r.ratio,
                serverCpuMsPerSubmission: r.service.serverCpuMsPerSubmission,
              })),
            }
          : median,
      );
    }

    let freshness = null;
    let catchUp = null;
    if (PHASES.has('freshness')) {
      // An organisation of its own: the load phase's answers (counted when the worker starts) stay apart.
      const other = await api(url, platform, 'POST', '/api/v1/organisations', {
        slug: 'fresh-city',
        name: 'Fresh City',
        country: 'PL',
        type: 'city',
        housingStock: 10000,
      });
      const otherAdmin = other.body.adminKey.key as string;
      const freshOrg = (await api(url, otherAdmin, 'GET', '/api/v1/organisations')).body.items[0]
        .id as string;
      const fresh = await campaignOf(url, otherAdmin, 'bench-fresh', { template: 'tsm-perception' });
      const worker = startWorkerProcess(mongodbUri, bench.redisUrl);
      procs.push(worker);
      if (load.length) {
        // The worker starts now: first it counts what the load phases stored, a burst far above
        // any steady rate. How long that takes is its own figure; freshness is measured after it.
        const benchOrg = (await api(url, admin, 'GET', '/api/v1/organisations')).body.items[0].id as string;
        log('catching up with the load phases');
        catchUp = await caughtUp(benchOrg);
        log(`  ${JSON.stringify(catchUp)}`);
      }
      log(`freshness at ${args.rate} submissions per second`);
      freshness = await measureFreshness(url, fresh, freshOrg, Number(args.rate));
      log(`  ${JSON.stringify(freshness)}`);
    }

    if (!PHASES.has('stalls')) {
      console.log(
        JSON.stringify({ seconds: SECONDS, stored, surveyCore, load, catchUp, freshness }, null, 2),
      );
      return;
    }
    log('stalls');
    const big = largest();
    const bigSlug = await campaignOf(url, admin, 'bench-largest', { definition: big });
    const bigAnswers = Object.fromEntries(
      Array.from({ length: 100 }, (_, p) => Array.from({ length: 5 }, (_, i) => [`q${p}_${i}`, 'c1'])).flat(),
    );
    const stalls = {
      validateLargest: await probeDuring(url, () =>
        repeat(
          20,
          4,
          async () => (await api(url, admin, 'POST', '/api/v1/surveys/validate', { definition: big })).status,
        ),
      ),
      submitLargest: await probeDuring(url, () =>
        repeat(
          40,
          4,
          async () =>
            (
              await fetch(`${url}/api/v1/public/campaigns/${bigSlug}/responses`, {
                method: 'POST',
                headers: { 'Content-Type': 'application/json' },
                body: JSON.stringify({ submissionId: randomUUID(), locale: 'en', answers: bigAnswers }),
              })
            ).status,
        ),
      ),
      refused: {} as Record<string, unknown>,
    };
    const hostile: Record<string, unknown> = {
      catastrophicRegex: {
        elements: [{ type: 'text', name: 'code', validators: [{ type: 'regex', regex: '^(a+)+$' }] }],
      },
      threeThousandPages: {
        pages: [{ elements: [{ type: 'text', name: 'a' }] }, ...Array.from({ length: 2999 }, () => ({}))],
      },
      twentyThousandChoices: {
        elements: [
          { type: 'dropdown', name: 'd', choices: Array.from({ length: 20000 }, (_, i) => `c${i}`) },
        ],
      },
      questionNamedConstructor: { elements: [{ type: 'text', name: 'constructor' }] },
    };
    for (const [name, definition] of Object.entries(hostile)) {
      stalls.refused[name] = await probeDuring(url, async () => {
        const r = await api(url, admin, 'POST', '/api/v1/surveys/validate', { definition });
        return { status: r.status, first: r.body.error?.details?.[0] };
      });
    }
    console.log(
      JSON.stringify({ seconds: SECONDS, stored, surveyCore, load, catchUp, freshness, stalls }, null, 2),
    );
  } finally {
    for (const p of procs) p.kill('SIGTERM');
    await bench.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
