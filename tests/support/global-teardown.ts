/** Stops the servers global-setup started (nothing when URLs were given). */
export default async function globalTeardown(): Promise<void> {
  const services = globalThis.__testServices;
  globalThis.__testServices = undefined;
  await services?.stop();
}
