import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Random secrets and how they are kept (issue 11). Login tokens and vehicle passwords are 256 random
 * bits, so a fast hash is enough: nobody can guess one to test against the hash. Tokens are stored under
 * their SHA-256 (a stolen store copy holds no usable token); vehicle passwords as SHA-256(salt ||
 * password), not scrypt: 10,000 cars may connect at once after a broker restart.
 */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** The store key of a bearer token. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export interface SaltedHash {
  salt: string;
  hash: string;
}

export function saltedHash(password: Buffer | string, salt: Buffer = randomBytes(16)): SaltedHash {
  return { salt: salt.toString('hex'), hash: createHash('sha256').update(salt).update(password).digest('hex') };
}

/** Constant-time: the time taken does not depend on how much of the hash matched. */
export function matchesSaltedHash(password: Buffer, kept: SaltedHash): boolean {
  const expected = Buffer.from(kept.hash, 'hex');
  const actual = Buffer.from(saltedHash(password, Buffer.from(kept.salt, 'hex')).hash, 'hex');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
