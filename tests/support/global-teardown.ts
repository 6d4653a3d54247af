import { stopTestServices } from './global-setup';

/** Stops the servers global-setup started and removes their data. */
export default async function globalTeardown(): Promise<void> {
  await stopTestServices();
}
