import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { AuditEntry } from '../../../protocol/index.js';
import type { AuditStore, AuditStoreQuery } from './audit-port.js';
import { AUDIT_SINCE_SLACK_MS } from './audit-policy.js';
import type { AccountRecord, IdentityStore, TokenRecord, VehicleCredentialRecord } from './identity-port.js';
import { withIdentityScripts, type IdentityRedis } from './redis-identity-scripts.js';
import type { RedisKeys } from './redis-keys.js';

/** ARGV of audit entries, as every script that writes them takes them (redis-identity-scripts.ts). */
export function auditArgs(prefix: string, entries: readonly AuditEntry[]): (string | number)[] {
  const args: (string | number)[] = [prefix, entries.length];
  for (const e of entries) {
    const at = Date.parse(e.at);
    if (!Number.isFinite(at)) throw new Error(`audit entry ${e.id}: unreadable at`);
    args.push(e.id, at, e.caseId ?? '', e.actor.id, JSON.stringify(e));
  }
  return args;
}

export interface RedisIdentityOptions {
  /** Runs a command the way the store does (its errors become StoreUnavailable in an outage). */
  io: <T>(work: () => Promise<T>) => Promise<T>;
  /** Opens the connection that listens for credential changes (pub/sub needs its own). */
  subscriber: () => Redis;
  onError: (err: unknown) => void;
}

/**
 * The Redis adapter's audit log and identity records (audit-port.ts, identity-port.ts); RedisStore
 * delegates to it. Every change is one script with its audit entry (redis-identity-scripts.ts).
 * Credential changes reach the other instances on a pub/sub channel: best effort (an instance cut off
 * from Redis at that moment misses it; the car's next connect is checked against the new hash anyway).
 */
export class RedisIdentity implements IdentityStore, AuditStore {
  private readonly redis: IdentityRedis;
  private readonly instance = randomUUID();
  private readonly listeners = new Set<(vin: string) => void>();
  private sub: Redis | null = null;

  constructor(
    redis: Redis,
    private readonly keys: RedisKeys,
    private readonly opts: RedisIdentityOptions,
  ) {
    this.redis = withIdentityScripts(redis);
  }

  appendAudit(entries: AuditEntry[]): Promise<void> {
    return this.opts.io(async () => {
      if (entries.length === 0) return;
      await this.redis.anshinAppendAudit(2, this.keys.audit, this.keys.auditIds, ...this.audit(entries));
    });
  }

  listAudit(query: AuditStoreQuery): Promise<AuditEntry[] | null> {
    return this.opts.io(async () => {
      // The narrowest index that applies: a case's entries, an actor's, or the whole stream.
      const index = query.caseId !== undefined ? this.keys.auditCase(query.caseId) : query.actor !== undefined ? this.keys.auditActor(query.actor) : this.keys.audit;
      const reply = await this.redis.anshinListAudit(
        this.keys.audit,
        this.keys.auditIds,
        index,
        query.before ?? '',
        query.since ?? '',
        AUDIT_SINCE_SLACK_MS,
        query.limit,
        query.caseId ?? '',
        query.actor ?? '',
        index === this.keys.audit ? '0' : '1',
      );
      if (reply[0] === 'unknown') return null;
      return reply[1].map((json) => JSON.parse(json) as AuditEntry);
    });
  }

  createAccount(account: AccountRecord, audit: AuditEntry): Promise<'ok' | 'exists'> {
    return this.opts.io(() =>
      this.redis.anshinCreateAccount(4, ...this.auditKeys(), this.keys.accounts, this.keys.admins, ...this.audit([audit]), account.username, JSON.stringify(account), account.role),
    );
  }

  getAccount(username: string): Promise<AccountRecord | null> {
    return this.opts.io(async () => {
      const json = await this.redis.hget(this.keys.accounts, username);
      return json ? (JSON.parse(json) as AccountRecord) : null;
    });
  }

  listAccounts(): Promise<AccountRecord[]> {
    return this.opts.io(async () => {
      const all = (await this.redis.hvals(this.keys.accounts)).map((json) => JSON.parse(json) as AccountRecord);
      return all.sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0));
    });
  }

  deleteAccount(username: string, audit: AuditEntry): Promise<'ok' | 'not_found' | 'last_admin'> {
    return this.opts.io(() =>
      this.redis.anshinDeleteAccount(5, ...this.auditKeys(), this.keys.accounts, this.keys.admins, this.keys.accountTokens(username), ...this.audit([audit]), username),
    );
  }

  createToken(tokenHash: string, record: TokenRecord, clearFailures: string, audit: AuditEntry): Promise<'ok' | 'no_account'> {
    return this.opts.io(() => {
      // The key lives as long as the token (at least 1 ms: PX 0 is an error); the caller checks expiresAt too.
      const ttl = Math.max(1, Math.ceil(record.expiresAt - record.issuedAt));
      return this.redis.anshinCreateToken(
        6,
        ...this.auditKeys(),
        this.keys.accounts,
        this.keys.token(tokenHash),
        this.keys.accountTokens(record.username),
        this.keys.loginFailures(clearFailures),
        ...this.audit([audit]),
        record.username,
        JSON.stringify(record),
        ttl,
        tokenHash,
      );
    });
  }

  getToken(tokenHash: string): Promise<TokenRecord | null> {
    return this.opts.io(async () => {
      const json = await this.redis.get(this.keys.token(tokenHash));
      return json ? (JSON.parse(json) as TokenRecord) : null;
    });
  }

  deleteToken(tokenHash: string, username: string, audit: AuditEntry): Promise<boolean> {
    return this.opts.io(
      async () => (await this.redis.anshinDeleteToken(4, ...this.auditKeys(), this.keys.token(tokenHash), this.keys.accountTokens(username), ...this.audit([audit]), tokenHash)) === 1,
    );
  }

  loginFailures(keys: string[]): Promise<number[]> {
    return this.opts.io(async () => {
      if (keys.length === 0) return [];
      return (await this.redis.mget(keys.map((k) => this.keys.loginFailures(k)))).map((v) => Number(v ?? 0));
    });
  }

  recordLoginFailure(keys: string[], windowMs: number, audit: AuditEntry): Promise<void> {
    return this.opts.io(async () => {
      const counters = keys.map((k) => this.keys.loginFailures(k));
      await this.redis.anshinLoginFailed(2 + counters.length, ...this.auditKeys(), ...counters, ...this.audit([audit]), Math.max(1, Math.ceil(windowMs)));
    });
  }

  putVehicleCredential(record: VehicleCredentialRecord, audit: AuditEntry): Promise<{ rotated: boolean }> {
    return this.opts.io(async () => {
      const message = JSON.stringify({ vin: record.vin, by: this.instance });
      const existed = await this.redis.anshinPutVehicleCredential(
        3,
        ...this.auditKeys(),
        this.keys.vehicleCredential(record.vin),
        ...this.audit([audit]),
        JSON.stringify(record),
        this.keys.vehicleCredentialChannel,
        message,
      );
      // This instance hears it at once; the others through the channel (it skips its own message).
      this.tell(record.vin);
      return { rotated: existed === 1 };
    });
  }

  getVehicleCredential(vin: string): Promise<VehicleCredentialRecord | null> {
    return this.opts.io(async () => {
      const json = await this.redis.get(this.keys.vehicleCredential(vin));
      return json ? (JSON.parse(json) as VehicleCredentialRecord) : null;
    });
  }

  onVehicleCredential(listener: (vin: string) => void): () => void {
    this.listeners.add(listener);
    this.subscribe();
    return () => this.listeners.delete(listener);
  }

  /** Resolves once the channel listens (tests: a rotation on another instance is then heard). */
  async listening(): Promise<void> {
    this.subscribe();
    await this.sub!.subscribe(this.keys.vehicleCredentialChannel);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    const sub = this.sub;
    this.sub = null;
    if (sub) await sub.quit().catch(() => sub.disconnect());
  }

  private subscribe(): void {
    if (this.sub) return;
    const sub = this.opts.subscriber();
    this.sub = sub;
    sub.on('error', (err) => this.opts.onError(err));
    sub.on('message', (_channel: string, message: string) => {
      try {
        const { vin, by } = JSON.parse(message) as { vin: string; by: string };
        if (by !== this.instance) this.tell(vin);
      } catch (err) {
        this.opts.onError(err);
      }
    });
    // ioredis subscribes again by itself after a reconnect.
    sub.subscribe(this.keys.vehicleCredentialChannel).catch((err: unknown) => this.opts.onError(err));
  }

  private tell(vin: string): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(vin);
      } catch (err) {
        this.opts.onError(err);
      }
    }
  }

  private auditKeys(): [string, string] {
    return [this.keys.audit, this.keys.auditIds];
  }

  private audit(entries: readonly AuditEntry[]): (string | number)[] {
    return auditArgs(this.keys.prefix, entries);
  }
}
