/**
 * Faults, timed on real servers of its own (`npm run bench:faults`):
 * - the database stopped: how long requests take to be answered, and with what;
 * - Redis stopped: how long submissions take (they must not wait for reconnects);
 * - both back: how long until requests succeed again;
 * - each frozen (SIGSTOP: its connections stay open, nothing answers, as on a frozen host):
 *   how long requests and submissions take, then how long until all is well after SIGCONT.
 * Prints one JSON document; the servers live in a temporary directory.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config';
import { databaseDir, startMongo, startRedis } from '../src/local-services/servers';
import { createApiKey } from '../src/modules/organisations/api-keys.service';
import { connectMongo, syncIndexes } from '../src/db/connection';
import mongoose from 'mongoose';
import { startApiProcess } from './api-process';

const log = (s: string) => process.stderr.write(`${s}\n`);

async function timed(n: number, one: () => Promise<number>) {
  const times: number[] = [];
  const statuses: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const status = await one().catch(() => 0);
    times.push(performance.now() - t);
    statuses[status] = (statuses[status] ?? 0) + 1;
  }
  times.sort((a, b) => a - b);
  return { statuses, medianMs: Math.round(times[Math.floor(n / 2)]!), maxMs: Math.round(times.at(-1)!) };
}

/** `n` calls at once, each timed from the same start. */
async function timedAtOnce(n: number, one: () => Promise<number>) {
  const t = performance.now();
  const results = await Promise.all(
    Array.from({ length: n }, async () => {
      const status = await one().catch(() => 0);
      return { status, ms: performance.now() - t };
    }),
  );
  const times = results.map((r) => r.ms).sort((a, b) => a - b);
  const statuses: Record<string, number> = {};
  for (const r of results) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  return { statuses, medianMs: Math.round(times[Math.floor(n / 2)]!), maxMs: Math.round(times.at(-1)!) };
}

async function main() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tenant-voice-faults-'));
  const backend = loadConfig().ferretdbBackend;
  let mongo = await startMongo({ dir: databaseDir(dir), backend });
  let redis = await startRedis({ dir: path.join(dir, 'redis') });
  const uri = `${mongo.uri}/faults`;
  await connectMongo(uri);
  await syncIndexes();
  const platform = (await createApiKey({ organisationId: null, role: 'platform', label: 'faults' })).key;
  await mongoose.disconnect();
  const api = await startApiProcess(uri, redis.url, { env: { RATE_LIMIT_PER_MINUTE: '100000' } });
  const call = async (method: string, route: string, key?: string, body?: unknown) => {
    const res = await fetch(`${api.url}${route}`, {
      method,
      headers: { ...(key ? { Authorization: `Bearer ${key}` } : {}), 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a benchmark reads answers loosely
    return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, any> };
  };
  try {
    const org = await call('POST', '/api/v1/organisations', platform, {
      slug: 'fault-city',
      name: 'Fault City',
      country: 'PL',
      type: 'city',
    });
    const admin = org.body.adminKey.key as string;
    const survey = await call('POST', '/api/v1/surveys', admin, { slug: 'pulse', template: 'pulse' });
    await call('POST', `/api/v1/surveys/${survey.body.id}/versions`, admin);
    const campaign = await call('POST', '/api/v1/campaigns', admin, {
      surveyId: survey.body.id,
      period: '2026',
    });
    const submit = async () =>
      (
        await call('POST', `/api/v1/public/campaigns/${campaign.body.slug}/responses`, undefined, {
          submissionId: randomUUID(),
          locale: 'en',
          answers: { overall_satisfaction: 'fairly_satisfied' },
        })
      ).status;
    const list = async () => (await call('GET', '/api/v1/organisations', admin)).status;

    // One answer first: the campaign is then cached, and submissions reach the insert.
    if ((await submit()) !== 201) throw new Error('a submission was refused before any fault');
    log('database stopped');
    await mongo.stop();
    const databaseDown = {
      list: await timed(10, list),
      readyz: await timed(5, async () => (await call('GET', '/readyz')).status),
      submissions: await timed(10, submit),
      // Submissions that arrive together wait for one write (group commit): all answered at once.
      submissionsAtOnce: await timedAtOnce(20, submit),
    };
    mongo = await startMongo({ dir: databaseDir(dir), port: mongo.port, backend });
    let t = performance.now();
    while ((await list()) !== 200) await new Promise((r) => setTimeout(r, 100));
    const databaseBackAfterMs = Math.round(performance.now() - t);

    log('Redis stopped');
    await redis.stop();
    const redisDown = { submissions: await timed(20, submit) };
    redis = await startRedis({ dir: path.join(dir, 'redis'), port: redis.port });
    t = performance.now();
    while ((await call('GET', '/readyz')).status !== 200) await new Promise((r) => setTimeout(r, 100));
    const redisBackAfterMs = Math.round(performance.now() - t);

    log('database frozen');
    process.kill(mongo.pid, 'SIGSTOP');
    const databaseFrozen = {
      // The first waits until the driver's heartbeat gives up on the server; later ones fail fast.
      listAtOnce: await timedAtOnce(5, list),
      list: await timed(5, list),
      submissions: await timed(5, submit),
    };
    process.kill(mongo.pid, 'SIGCONT');
    t = performance.now();
    while ((await list()) !== 200) await new Promise((r) => setTimeout(r, 100));
    const databaseThawedAfterMs = Math.round(performance.now() - t);

    log('Redis frozen');
    process.kill(redis.pid, 'SIGSTOP');
    const redisFrozen = {
      submissions: await timed(20, submit),
      readyz: await timed(3, async () => (await call('GET', '/readyz')).status),
    };
    process.kill(redis.pid, 'SIGCONT');
    t = performance.now();
    while ((await call('GET', '/readyz')).status !== 200) await new Promise((r) => setTimeout(r, 100));
    const redisThawedAfterMs = Math.round(performance.now() - t);
    console.log(
      JSON.stringify(
        {
          databaseDown,
          databaseBackAfterMs,
          redisDown,
          redisBackAfterMs,
          databaseFrozen,
          databaseThawedAfterMs,
          redisFrozen,
          redisThawedAfterMs,
        },
        null,
        2,
      ),
    );
  } finally {
    api.proc.kill('SIGTERM');
    await new Promise((r) => api.proc.once('exit', r));
    await mongo.stop();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
