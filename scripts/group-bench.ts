/**
 * Group reads, measured on real servers: a benchmarking group of N member organisations with
 * signed-off returns for several periods, entered, submitted and signed off through the
 * services (the same code the API runs). Then, each at 100 connections for `--seconds`:
 * - GET /api/v1/benchmarks/PL_VACANT?period=…&peerGroup=group:… (a reported figure in a group);
 * - GET /api/v1/groups/{group}/returns/{org}/{period} (one return with its checks);
 * and the floor: bare Express sending the benchmark's stored bytes, in the same run.
 *
 *   npm run bench:groups -- --orgs 300 --periods 3 --seconds 10
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { freePort } from '../src/local-services/servers';
import { acceptInvitation, createGroup, inviteMember } from '../src/modules/groups/groups.service';
import { createApiKey } from '../src/modules/organisations/api-keys.service';
import { createOrganisation } from '../src/modules/organisations/organisations.service';
import { saveFigures, signOff, submitReturn } from '../src/modules/returns/returns.service';
import { openBenchServices, startApiProcess } from './api-process';

const { values: args } = parseArgs({
  options: {
    orgs: { type: 'string', default: '300' },
    periods: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '10' },
  },
});
const ORGS = Number(args.orgs);
const PERIODS = Array.from({ length: Number(args.periods) }, (_, i) => String(2020 + i));
const log = (s: string) => process.stderr.write(`${s}\n`);
const root = path.resolve(__dirname, '..');
const GROUP = 'bench-group';

async function seed() {
  const centre = await createOrganisation(
    { slug: 'bench-centre', name: 'Centre', country: 'PL', type: 'resource_centre' },
    null,
  );
  const key = await createApiKey({ organisationId: centre.organisation.id, role: 'coordinator' });
  const coordinator = { keyId: key.id, organisationId: centre.organisation.id, role: 'coordinator' as const };
  await createGroup(coordinator, {
    slug: GROUP,
    name: 'Bench group',
    indicators: ['PL_VACANT', 'PL_COST_M2', 'RP02'],
    calendar: PERIODS.map((period) => ({
      period,
      opens: '2020-01-01T00:00:00Z',
      closes: '2099-01-01T00:00:00Z',
      signOffBy: '2099-06-01T00:00:00Z',
    })),
  });
  let member = { slug: '', key: '' };
  let batchStarted = Date.now();
  const perReturnMs: Array<{ organisations: number; msPerReturn: number }> = [];
  for (let i = 0; i < ORGS; i++) {
    const slug = `city-${i}`;
    const org = await createOrganisation(
      { slug, name: `City ${i}`, country: 'PL', type: 'city', housingStock: 1000 + i * 10 },
      null,
    );
    const admin = { keyId: org.adminKey.id, organisationId: org.organisation.id, role: 'admin' as const };
    await inviteMember(coordinator, GROUP, slug);
    await acceptInvitation(admin, GROUP);
    for (const period of PERIODS) {
      const ref = { group: GROUP, org: slug, period };
      await saveFigures(admin, ref, [
        { indicator: 'PL_VACANT', numerator: 10 + (i % 40), denominator: 1000, comment: 'bench' },
        { indicator: 'PL_COST_M2', value: 5 + (i % 30) / 10, comment: 'bench' },
        {
          indicator: 'RP02',
          part: 'non_emergency',
          numerator: 80 + (i % 20),
          denominator: 100,
          comment: 'bench',
        },
        {
          indicator: 'RP02',
          part: 'emergency',
          numerator: 90 + (i % 10),
          denominator: 100,
          comment: 'bench',
        },
      ]);
      await submitReturn(admin, ref);
      await signOff(coordinator, ref);
    }
    if (i === 0) member = { slug, key: org.adminKey.key };
    // How long entering, submitting and signing off one return takes as the group fills.
    if ((i + 1) % 25 === 0) {
      const msPerReturn = +((Date.now() - batchStarted) / (25 * PERIODS.length)).toFixed(1);
      perReturnMs.push({ organisations: i + 1, msPerReturn });
      log(`  ${i + 1} organisations seeded: ${msPerReturn} ms per return (enter, submit, sign off)`);
      batchStarted = Date.now();
    }
  }
  return { member, perReturnMs };
}

async function load(url: string, headers: Record<string, string>) {
  const seconds = Number(args.seconds);
  const options: autocannon.Options & { warmup: { connections: number; duration: number } } = {
    url,
    connections: 100,
    duration: seconds,
    headers,
    warmup: { connections: 100, duration: 3 },
  };
  const r = await autocannon(options);
  return {
    perSecond: Math.round(r.requests.total / seconds),
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
  };
}

async function expressFloor(body: Buffer, dir: string) {
  // The API sends these answers uncompressed; the floor sends the same bytes the same way.
  const file = path.join(dir, 'group-benchmark.json');
  writeFileSync(file, body);
  const port = await freePort();
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', 'scripts/floor-server.ts', 'express', file, String(port)],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  try {
    await new Promise<void>((resolve, reject) => {
      proc.stdout!.on('data', (d: Buffer) => d.toString().includes('listening') && resolve());
      proc.on('exit', (code) => reject(new Error(`the floor server exited (${code})`)));
    });
    return await load(`http://127.0.0.1:${port}/`, {});
  } finally {
    proc.kill('SIGTERM');
  }
}

async function main() {
  const bench = await openBenchServices('groupbench', log);
  let api: Awaited<ReturnType<typeof startApiProcess>> | null = null;
  try {
    log(`seeding a group of ${ORGS} organisations, ${PERIODS.length} periods`);
    const started = Date.now();
    const { member, perReturnMs } = await seed();
    const seedMs = Date.now() - started;
    api = await startApiProcess(bench.mongodbUri, bench.redisUrl);
    const auth = { Authorization: `Bearer ${member.key}` };
    const benchmarkPath = `/api/v1/benchmarks/PL_VACANT?period=${PERIODS.at(-1)}&peerGroup=group:${GROUP}`;
    const returnPath = `/api/v1/groups/${GROUP}/returns/${member.slug}/${PERIODS.at(-1)}`;
    const check = await fetch(`${api.url}${benchmarkPath}`, { headers: auth });
    if (!check.ok) throw new Error(`benchmark read failed: ${check.status}`);
    const body = Buffer.from(await check.arrayBuffer());
    const oneClient = async (p: string) => {
      const times = [];
      for (let i = 0; i < 21; i++) {
        const t = performance.now();
        await fetch(`${api!.url}${p}`, { headers: auth }).then((r) => r.arrayBuffer());
        times.push(performance.now() - t);
      }
      return +times.sort((a, b) => a - b)[10]!.toFixed(1);
    };
    const single = { benchmarkMs: await oneClient(benchmarkPath), returnMs: await oneClient(returnPath) };
    log(`one client, median: ${JSON.stringify(single)}`);
    log('GET group benchmark (reported figure)');
    const benchmark = await load(`${api.url}${benchmarkPath}`, auth);
    log(`  ${JSON.stringify(benchmark)}`);
    log('GET one return with its checks');
    const oneReturn = await load(`${api.url}${returnPath}`, auth);
    log(`  ${JSON.stringify(oneReturn)}`);
    log('floor: bare Express sending the benchmark bytes');
    const floor = await expressFloor(body, bench.dir);
    log(`  ${JSON.stringify(floor)}`);
    console.log(
      JSON.stringify(
        {
          organisations: ORGS,
          periods: PERIODS.length,
          seedMsPerReturn: +(seedMs / (ORGS * PERIODS.length)).toFixed(1),
          perReturnMs,
          benchmarkBytes: body.length,
          oneClientMedian: single,
          benchmark,
          oneReturn,
          floor,
          benchmarkOverFloor: +(benchmark.perSecond / floor.perSecond).toFixed(3),
        },
        null,
        2,
      ),
    );
  } finally {
    api?.proc.kill('SIGTERM');
    await bench.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
