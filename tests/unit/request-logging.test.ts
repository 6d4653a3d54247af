import { Writable } from 'node:stream';
import express from 'express';
import pino from 'pino';
import request from 'supertest';
import { requestLogging } from '../../src/http/request-logging';

/** An app with the access log and a few routes, logging into an array. */
function appWithLog(level = 'info') {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const app = express();
  app.use(requestLogging(pino({ level }, sink)));
  app.get('/ok', (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/boom', (_req, res) => {
    res.status(500).json({ error: 'bug' });
  });
  app.get('/down', (_req, res) => {
    res.status(503).json({ error: 'down' });
  });
  return { app, lines };
}

const settle = () => new Promise((r) => setImmediate(r));

it('logs one line per request with id, method, path, status and time, and no query, address or agent', async () => {
  const { app, lines } = appWithLog();
  const res = await request(app).get('/ok?token=s3cret-invitation').set('User-Agent', 'phone/1.0');
  await settle();
  expect(lines).toHaveLength(1);
  const [line] = lines;
  expect(line).toMatchObject({
    level: 30,
    method: 'GET',
    path: '/ok',
    status: 200,
    msg: 'request completed',
  });
  expect(line!.reqId).toBe(res.headers['x-request-id']);
  expect(typeof line!.ms).toBe('number');
  const text = JSON.stringify(line);
  expect(text).not.toContain('s3cret');
  expect(text).not.toContain('phone/1.0');
  expect(text).not.toContain('127.0.0.1');
});

it('keeps a well-formed caller request id and replaces anything else', async () => {
  const { app, lines } = appWithLog();
  const kept = await request(app).get('/ok').set('X-Request-Id', 'trace-1234abcd');
  expect(kept.headers['x-request-id']).toBe('trace-1234abcd');
  const replaced = await request(app).get('/ok').set('X-Request-Id', 'bad id\twith spaces');
  expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  await settle();
  expect(lines.map((l) => l.reqId)).toEqual(['trace-1234abcd', replaced.headers['x-request-id']]);
});

it('logs server errors at error level, outages (503) at warning level, and leaves probes out', async () => {
  const { app, lines } = appWithLog();
  await request(app).get('/healthz').expect(200);
  await request(app).get('/boom').expect(500);
  await request(app).get('/down').expect(503);
  await settle();
  expect(lines).toHaveLength(2);
  expect(lines[0]).toMatchObject({ level: 50, path: '/boom', status: 500, msg: 'request failed' });
  expect(lines[1]).toMatchObject({ level: 40, path: '/down', status: 503, msg: 'request unavailable' });
});

it('writes nothing below its level, but still assigns request ids', async () => {
  const { app, lines } = appWithLog('warn');
  const res = await request(app).get('/ok');
  await settle();
  expect(res.headers['x-request-id']).toBeTruthy();
  expect(lines).toHaveLength(0);
});
