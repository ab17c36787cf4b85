import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Operators' passwords (issue 11): slow salted hashes, Node's scrypt (memory-hard, no dependency). A
 * hash carries its own cost, so raising PASSWORD_SCRYPT_COST applies to new passwords and old hashes
 * still verify: `scrypt$<log2 N>$<r>$<p>$<salt, base64url>$<key, base64url>`. scrypt runs on libuv's
 * thread pool, so a login does not block the event loop.
 */
const R = 8;
const P = 1;
const KEY_BYTES = 32;
const SALT_BYTES = 16;

function derive(password: string, salt: Buffer, log2N: number, r: number, p: number): Promise<Buffer> {
  const N = 2 ** log2N;
  // scrypt needs 128 * N * r bytes; Node refuses above `maxmem` (32 MiB by default, N = 2^15 with r = 8).
  const options: ScryptOptions = { N, r, p, maxmem: 256 * N * r };
  return new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, KEY_BYTES, options, (err, key) => (err ? reject(err) : resolve(key))));
}

export async function hashPassword(password: string, log2N: number): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, log2N, R, P);
  return ['scrypt', log2N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** False for a wrong password and for a hash this code cannot read; the compare takes constant time. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [log2N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![log2N, r, p].every((n) => Number.isInteger(n) && n > 0) || log2N > 22) return false;
  const expected = Buffer.from(parts[5]!, 'base64url');
  const key = await derive(password, Buffer.from(parts[4]!, 'base64url'), log2N, r, p);
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/**
 * A hash of nobody's password at the given cost: a login for an unknown username is checked against it,
 * so that it takes as long as one with a wrong password (the answer is the same too).
 */
export function decoyHash(log2N: number): Promise<string> {
  return hashPassword(randomBytes(24).toString('base64url'), log2N);
}
