import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Where `npm start` records the URLs of the local servers it runs, for the CLI. */
function stateFile(dataDir: string): string {
  return path.join(dataDir, 'services.json');
}

/** A process id with when that process started, so that a later process under the same id is told apart. */
interface Owner {
  pid: number;
  started?: string;
}

/** A running `npm start`: its process and the servers it started. */
export interface ServiceState extends Owner {
  mongodbUri: string;
  redisUrl: string;
}

/**
 * When process `pid` started (clock ticks after boot, from /proc), or undefined where /proc does
 * not say. After a crash or a reboot, another process may hold the id the file names.
 */
export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name, second, may hold spaces and parentheses; the start time is the 22nd field.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function owner(): Owner {
  return { pid: process.pid, started: processStart(process.pid) };
}

export function writeServiceState(dataDir: string, state: Omit<ServiceState, keyof Owner>): void {
  writeFileSync(stateFile(dataDir), JSON.stringify({ ...state, ...owner() }, null, 2));
}

export function clearServiceState(dataDir: string): void {
  rmSync(stateFile(dataDir), { force: true });
}

/**
 * What a JSON file records for a living process, or null (no file, or its process is gone: no
 * process has its id, or the one that has it started at another time).
 */
function readLive<T extends Owner>(file: string): T | null {
  try {
    const state = JSON.parse(readFileSync(file, 'utf8')) as T;
    process.kill(state.pid, 0);
    // Files written before start times were recorded name the process by its id alone.
    if (state.started !== undefined && state.started !== processStart(state.pid)) return null;
    return state;
  } catch {
    return null;
  }
}

/** The state of a running `npm start`, or null when none is running. */
export function readServiceState(dataDir: string): ServiceState | null {
  return readLive<ServiceState>(stateFile(dataDir));
}

function moveFile(dataDir: string): string {
  return path.join(dataDir, 'moving.json');
}

/** Records that this process is moving the database under `dataDir`; returns the release. */
export function markMoving(dataDir: string): () => void {
  writeFileSync(moveFile(dataDir), JSON.stringify(owner()));
  return () => rmSync(moveFile(dataDir), { force: true });
}

/**
 * Another living process that uses `dataDir`: a running `npm start` (`service`), or a database
 * move (`move`); null when there is none.
 */
export function dataDirUser(dataDir: string): { pid: number; by: 'service' | 'move' } | null {
  const service = readServiceState(dataDir)?.pid;
  if (service !== undefined && service !== process.pid) return { pid: service, by: 'service' };
  const move = readLive<Owner>(moveFile(dataDir))?.pid;
  if (move !== undefined && move !== process.pid) return { pid: move, by: 'move' };
  return null;
}
