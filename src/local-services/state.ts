import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Where `npm start` records the URLs of the local servers it runs, for the CLI. */
function stateFile(dataDir: string): string {
  return path.join(dataDir, 'services.json');
}

export interface ServiceState {
  mongodbUri: string;
  redisUrl: string;
  pid: number;
}

export function writeServiceState(dataDir: string, state: ServiceState): void {
  writeFileSync(stateFile(dataDir), JSON.stringify(state, null, 2));
}

export function clearServiceState(dataDir: string): void {
  rmSync(stateFile(dataDir), { force: true });
}

/** What a JSON file records for a living process, or null (no file, or its process is gone). */
function readLive<T extends { pid: number }>(file: string): T | null {
  try {
    const state = JSON.parse(readFileSync(file, 'utf8')) as T;
    process.kill(state.pid, 0);
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
  writeFileSync(moveFile(dataDir), JSON.stringify({ pid: process.pid }));
  return () => rmSync(moveFile(dataDir), { force: true });
}

/**
 * Another living process that uses `dataDir`: a running `npm start` (`service`), or a database
 * move (`move`); null when there is none.
 */
export function dataDirUser(dataDir: string): { pid: number; by: 'service' | 'move' } | null {
  const service = readServiceState(dataDir)?.pid;
  if (service !== undefined && service !== process.pid) return { pid: service, by: 'service' };
  const move = readLive<{ pid: number }>(moveFile(dataDir))?.pid;
  if (move !== undefined && move !== process.pid) return { pid: move, by: 'move' };
  return null;
}
