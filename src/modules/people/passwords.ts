import { hash, verify } from '@node-rs/argon2';

/**
 * argon2id at OWASP's baseline (19 MiB, 2 passes, 1 lane): memory-hard, so guessing stored hashes
 * costs memory as well as time. @node-rs/argon2 ships prebuilt binaries: nothing is compiled on
 * install.
 */
const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** Shortest and longest password accepted: length, not composition, is what resists guessing. */
export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 200;

/** The PHC string of a password's argon2id hash. */
export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

/** A hash of nothing anyone knows, verified for unknown addresses so they take as long as known ones. */
let decoy: Promise<string> | null = null;

/**
 * Whether `password` matches `stored`; with `stored` null (no such person, or no password yet) a
 * decoy hash is verified, so the answer takes the same time either way.
 */
export async function checkPassword(stored: string | null, password: string): Promise<boolean> {
  if (stored === null) {
    decoy ??= hashPassword('decoy password that matches nothing');
    await verify(await decoy, password).catch(() => false);
    return false;
  }
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}
