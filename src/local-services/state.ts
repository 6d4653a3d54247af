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

/** The state of a running `npm start`, or null when none is running. */
export function readServiceState(dataDir: string): ServiceState | null {
  try {
    const state = JSON.parse(readFileSync(stateFile(dataDir), 'utf8')) as ServiceState;
    process.kill(state.pid, 0);
    return state;
  } catch {
    return null;
  }
}
