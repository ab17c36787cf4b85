import type { AuditEntry, Role } from '../../../protocol/index.js';

/**
 * What the store keeps of identity (issue 11, part 4): operator accounts, login tokens, failed-login
 * counters and vehicle credentials. Secrets are stored only as hashes (services/identity/). Every
 * change is one atomic step of the store together with its audit entry, so the audit neither misses a
 * change nor records one that did not happen. Shared by every instance on the same store: a token
 * issued by one is accepted by all.
 */
export interface IdentityStore {
  /** `exists` when the username is taken (nothing written). */
  createAccount(account: AccountRecord, audit: AuditEntry): Promise<'ok' | 'exists'>;
  getAccount(username: string): Promise<AccountRecord | null>;
  /** By username. */
  listAccounts(): Promise<AccountRecord[]>;
  /** Deletes the account and every token it holds; `last_admin` refuses deleting the only admin. */
  deleteAccount(username: string, audit: AuditEntry): Promise<'ok' | 'not_found' | 'last_admin'>;

  /**
   * A login: keeps the token (by its hash) until `record.expiresAt`, clears the username's failed-login
   * counter, records the audit entry. `no_account` when the account was deleted meanwhile.
   */
  createToken(tokenHash: string, record: TokenRecord, clearFailures: string, audit: AuditEntry): Promise<'ok' | 'no_account'>;
  /** The token's record, or null when unknown, logged out or expired (the caller checks `expiresAt` too). */
  getToken(tokenHash: string): Promise<TokenRecord | null>;
  /** A logout: false (and no audit) when the token was already gone. */
  deleteToken(tokenHash: string, username: string, audit: AuditEntry): Promise<boolean>;

  /** Failed logins counted under each key within its current window. */
  loginFailures(keys: string[]): Promise<number[]>;
  /** Counts a failed login under each key (a window of `windowMs` starts at a key's first failure) and records it. */
  recordLoginFailure(keys: string[], windowMs: number, audit: AuditEntry): Promise<void>;

  /** Issues or replaces the car's credential; `rotated` when one existed. Tells every instance (below). */
  putVehicleCredential(record: VehicleCredentialRecord, audit: AuditEntry): Promise<{ rotated: boolean }>;
  getVehicleCredential(vin: string): Promise<VehicleCredentialRecord | null>;
  /** Every credential issued or rotated from now on, by any instance sharing this store (best effort across instances). */
  onVehicleCredential(listener: (vin: string) => void): () => void;
}

export interface AccountRecord {
  username: string;
  displayName: string;
  role: Role;
  /** services/identity/passwords.ts: `scrypt$<log2 N>$<r>$<p>$<salt>$<hash>`. */
  passwordHash: string;
  createdAt: string;
}

/** What a bearer token stands for; stored under the token's SHA-256, never the token itself. */
export interface TokenRecord {
  username: string;
  displayName: string;
  role: Role;
  /** Epoch ms. */
  issuedAt: number;
  /** Epoch ms; the Redis key expires then too. */
  expiresAt: number;
}

/** A car's MQTT password as kept: a random salt and SHA-256(salt || password), hex. */
export interface VehicleCredentialRecord {
  vin: string;
  salt: string;
  hash: string;
  issuedAt: string;
}
