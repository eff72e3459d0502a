// Password hashing: argon2id in native code (@node-rs/argon2, a Rust binding that ships
// prebuilt binaries for glibc and musl, so `npm ci --ignore-scripts` needs no compiler). It
// runs on libuv's thread pool, off the event loop: bcryptjs (pure JS, cost 12) took 1.5-2 s of
// the event loop per login. Hashes written by the bcrypt era (`$2a$`/`$2b$`) still verify and are
// replaced by an argon2id hash at the next successful login.
import { hash, verify, type Algorithm } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';

/** OWASP Password Storage Cheat Sheet, argon2id: m = 19 MiB, t = 2, p = 1. */
export const ARGON2_PARAMS = {
  // Algorithm.Argon2id: the package declares a const enum, which type stripping cannot inline.
  algorithm: 2 as Algorithm,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

export const hashPassword = (password: string): Promise<string> => hash(password, ARGON2_PARAMS);

/** Whether a stored hash should be replaced: bcrypt, another argon2 variant, other parameters. */
export function needsRehash(stored: string): boolean {
  const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(stored);
  return (
    !m ||
    Number(m[1]) !== ARGON2_PARAMS.memoryCost ||
    Number(m[2]) !== ARGON2_PARAMS.timeCost ||
    Number(m[3]) !== ARGON2_PARAMS.parallelism
  );
}

/** Checks `password` against an argon2 or bcrypt hash; anything else never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  if (stored.startsWith('$argon2')) return verify(stored, password).catch(() => false);
  if (/^\$2[aby]\$/.test(stored)) return bcrypt.compare(password, stored);
  return false;
}
