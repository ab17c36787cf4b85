import type { AuditEntry } from '../../../protocol/index.js';
import type { Clock } from '../../../lib/clock/index.js';
import type { AccountRecord, IdentityStore, TokenRecord, VehicleCredentialRecord } from './identity-port.js';
import type { MemoryAuditLog } from './memory-audit.js';

/**
 * The memory store's identity records (identity-port.ts). Each method changes its records and appends its
 * audit entry in one synchronous step, which single-threaded JavaScript makes atomic. Tokens and
 * failed-login windows expire on the store's clock, as Redis keys expire with their TTL.
 */
export class MemoryIdentity implements IdentityStore {
  private readonly accounts = new Map<string, AccountRecord>();
  private readonly tokens = new Map<string, TokenRecord>();
  private readonly failures = new Map<string, { count: number; until: number }>();
  private readonly vehicles = new Map<string, VehicleCredentialRecord>();
  private readonly listeners = new Set<(vin: string) => void>();

  constructor(
    private readonly audit: MemoryAuditLog,
    private readonly clock: Clock,
  ) {}

  async createAccount(account: AccountRecord, audit: AuditEntry): Promise<'ok' | 'exists'> {
    if (this.accounts.has(account.username)) return 'exists';
    this.accounts.set(account.username, { ...account });
    this.audit.append([audit]);
    return 'ok';
  }

  async getAccount(username: string): Promise<AccountRecord | null> {
    const a = this.accounts.get(username);
    return a ? { ...a } : null;
  }

  async listAccounts(): Promise<AccountRecord[]> {
    return [...this.accounts.values()].map((a) => ({ ...a })).sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0));
  }

  async deleteAccount(username: string, audit: AuditEntry): Promise<'ok' | 'not_found' | 'last_admin'> {
    const account = this.accounts.get(username);
    if (!account) return 'not_found';
    if (account.role === 'admin' && [...this.accounts.values()].filter((a) => a.role === 'admin').length <= 1) return 'last_admin';
    this.accounts.delete(username);
    for (const [hash, t] of this.tokens) if (t.username === username) this.tokens.delete(hash);
    this.audit.append([audit]);
    return 'ok';
  }

  async createToken(tokenHash: string, record: TokenRecord, clearFailures: string, audit: AuditEntry): Promise<'ok' | 'no_account'> {
    if (!this.accounts.has(record.username)) return 'no_account';
    this.pruneTokens();
    this.tokens.set(tokenHash, { ...record });
    this.failures.delete(clearFailures);
    this.audit.append([audit]);
    return 'ok';
  }

  async getToken(tokenHash: string): Promise<TokenRecord | null> {
    const t = this.tokens.get(tokenHash);
    if (!t) return null;
    if (t.expiresAt <= this.clock.now()) {
      this.tokens.delete(tokenHash);
      return null;
    }
    return { ...t };
  }

  async deleteToken(tokenHash: string, _username: string, audit: AuditEntry): Promise<boolean> {
    if (!this.tokens.delete(tokenHash)) return false;
    this.audit.append([audit]);
    return true;
  }

  async loginFailures(keys: string[]): Promise<number[]> {
    const now = this.clock.now();
    return keys.map((k) => {
      const f = this.failures.get(k);
      return f && f.until > now ? f.count : 0;
    });
  }

  async recordLoginFailure(keys: string[], windowMs: number, audit: AuditEntry): Promise<void> {
    const now = this.clock.now();
    for (const [k, f] of this.failures) if (f.until <= now) this.failures.delete(k);
    for (const k of keys) {
      const f = this.failures.get(k);
      if (f) f.count++;
      else this.failures.set(k, { count: 1, until: now + windowMs });
    }
    this.audit.append([audit]);
  }

  async putVehicleCredential(record: VehicleCredentialRecord, audit: AuditEntry): Promise<{ rotated: boolean }> {
    const rotated = this.vehicles.has(record.vin);
    this.vehicles.set(record.vin, { ...record });
    this.audit.append([audit]);
    for (const listener of [...this.listeners]) {
      try {
        listener(record.vin);
      } catch {
        // A listener's bug (the broker's) must not undo or fail a credential that is already kept.
      }
    }
    return { rotated };
  }

  async getVehicleCredential(vin: string): Promise<VehicleCredentialRecord | null> {
    const v = this.vehicles.get(vin);
    return v ? { ...v } : null;
  }

  onVehicleCredential(listener: (vin: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.listeners.clear();
  }

  /** Expired tokens go when a new one comes, so the map holds at most one TTL of logins. */
  private pruneTokens(): void {
    const now = this.clock.now();
    for (const [hash, t] of this.tokens) if (t.expiresAt <= now) this.tokens.delete(hash);
  }
}
