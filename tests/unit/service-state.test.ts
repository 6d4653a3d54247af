import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  dataDirUser,
  markMoving,
  processStart,
  readServiceState,
  writeServiceState,
} from '../../src/local-services/state';

// `npm start` and a database move record their process in DATA_DIR so that no second one runs
// on the same data. After a crash or a reboot the file stays, and its process id may by then
// name another process: that one must not count as the service.
let dir: string;
let other: ChildProcess;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'service-state-'));
  other = spawn('sleep', ['60'], { stdio: 'ignore' });
});
afterAll(async () => {
  other.kill();
  rmSync(dir, { recursive: true, force: true });
});

const write = (file: string, content: object) => writeFileSync(path.join(dir, file), JSON.stringify(content));

it('reads the start time of a process, different for different processes', () => {
  const own = processStart(process.pid);
  expect(own).toMatch(/^\d+$/);
  expect(processStart(other.pid!)).toMatch(/^\d+$/);
  expect(processStart(other.pid!)).not.toBe(own);
  expect(processStart(2 ** 22 + 1)).toBeUndefined();
});

it('records this process with its start time, and finds it running', () => {
  writeServiceState(dir, { mongodbUri: 'mongodb://127.0.0.1:1', redisUrl: 'redis://127.0.0.1:2' });
  expect(readServiceState(dir)).toEqual({
    mongodbUri: 'mongodb://127.0.0.1:1',
    redisUrl: 'redis://127.0.0.1:2',
    pid: process.pid,
    started: processStart(process.pid),
  });
  // This process is not in its own way.
  expect(dataDirUser(dir)).toBeNull();
});

it('counts a recorded process only while the process with its id is the one that started then', () => {
  const service = { mongodbUri: 'm', redisUrl: 'r', pid: other.pid! };
  write('services.json', { ...service, started: processStart(other.pid!) });
  expect(dataDirUser(dir)).toEqual({ pid: other.pid, by: 'service' });
  // The id now names a process that started at another time: the recorded one is gone.
  write('services.json', { ...service, started: '1' });
  expect(readServiceState(dir)).toBeNull();
  expect(dataDirUser(dir)).toBeNull();
  // A file from before start times were recorded names the process by its id alone.
  write('services.json', service);
  expect(dataDirUser(dir)).toEqual({ pid: other.pid, by: 'service' });
  rmSync(path.join(dir, 'services.json'));

  write('moving.json', { pid: other.pid, started: processStart(other.pid!) });
  expect(dataDirUser(dir)).toEqual({ pid: other.pid, by: 'move' });
  write('moving.json', { pid: other.pid, started: '1' });
  expect(dataDirUser(dir)).toBeNull();
  const release = markMoving(dir);
  expect(dataDirUser(dir)).toBeNull();
  release();
});

it('does not count a process that has exited', async () => {
  const gone = spawn('true', { stdio: 'ignore' });
  await once(gone, 'exit');
  write('services.json', { mongodbUri: 'm', redisUrl: 'r', pid: gone.pid });
  expect(readServiceState(dir)).toBeNull();
  expect(dataDirUser(dir)).toBeNull();
});
