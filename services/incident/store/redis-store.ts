import { randomUUID } from 'node:crypto';
import { Redis, ReplyError, type RedisOptions } from 'ioredis';
import type { Ack, AuditEntry, Case, CaseStatus, CommandAckRecord, FeedMessage, RecordedImpact, SecurityAlert, VoiceSession } from '../../../protocol/index.js';
import { emptyVehicle, type CommandRecord, type VehicleAggregate, type VehicleState } from '../domain/state.js';
import { ackRecord, compareClosedOrder, compareOpenOrder, inFeedWindow, STORE_DEFAULTS, type StorePolicyOptions } from './policy.js';
import { StoreUnavailable, type Commit, type CommitResult, type EventRead, type FeedListener, type FeedSnapshot, type OutboxMessage, type ScheduledLockout, type Store } from './port.js';
import type { AuditStoreQuery } from './audit-port.js';
import { FeedReader, parseFeedEntry } from './redis-feed.js';
import { auditArgs, RedisIdentity } from './redis-identity.js';
import { closedScore, openScore, RedisKeys } from './redis-keys.js';
import { RedisLease } from './redis-lease.js';
import { decodePositions, RedisPositions } from './redis-positions.js';
import { RedisContactTokens } from './redis-contacts.js';
import type { ContactTokenEntry } from './contacts-port.js';
import { RedisServiceCars } from './redis-service-cars.js';
import type { ServiceCarFix } from './service-car-port.js';
import type { PositionUpdate } from './positions-port.js';
import type { KnownPositions } from '../domain/positions.js';
import { withScripts, type ScriptedRedis } from './redis-scripts.js';
import { cloneData } from '../../../lib/clone.js';
import { DelegatedIdentity } from './identity-delegate.js';

/** What is kept and for how long (feedHistory, commandsPerVehicle, dedupeTtlSeconds): policy.ts. */
export interface RedisStoreOptions extends StorePolicyOptions {
  /** `redis://[:password@]host:port[/db]` (REDIS_URL). */
  url: string;
  /** Prepended to every key; lets deployments and tests share one Redis. */
  keyPrefix?: string;
  /**
   * A command without a reply in this time fails. With the offline queue off, a Redis outage makes a
   * commit fail fast instead of hanging: the service then does not ack the MQTT message and the broker
   * redelivers it.
   */
  commandTimeoutMs?: number;
  /** How long one feed XREAD blocks (bounds close()). */
  feedBlockMs?: number;
  /** Connection errors and feed-reader trouble (the store stays usable and reconnects by itself). */
  onError?: (err: unknown) => void;
}

const DEFAULTS = {
  ...STORE_DEFAULTS,
  keyPrefix: 'anshin:',
  commandTimeoutMs: 2_000,
  feedBlockMs: 1_000,
};

/** Opens both connections and reads the current seq; rejects when Redis cannot be reached. */
export async function createRedisStore(options: RedisStoreOptions): Promise<RedisStore> {
  const opts = { ...DEFAULTS, ...stripUndefined(options), url: options.url };
  const onError = opts.onError ?? (() => {});
  const main = new Redis(opts.url, connectionOptions(opts, 'anshin-store'));
  const blocking = new Redis(opts.url, { ...connectionOptions(opts, 'anshin-feed'), commandTimeout: undefined });
  let lastError: Error | null = null;
  const record = (err: Error) => {
    lastError = err;
    onError(err);
  };
  main.on('error', record);
  blocking.on('error', record);
  try {
    await Promise.all([main.connect(), blocking.connect()]).catch((err: Error) => {
      const cause = lastError ?? err;
      throw new Error(`Redis at ${redactUrl(opts.url)} did not answer: ${cause.message}`, { cause });
    });
    const keys = new RedisKeys(opts.keyPrefix);
    const startAfter = Number((await main.get(keys.feedSeq)) ?? 0);
    const reader = new FeedReader(blocking, { feedKey: keys.feed, seqKey: keys.feedSeq, startAfter, blockMs: opts.feedBlockMs, onError });
    reader.start();
    return new RedisStore(withScripts(main), keys, reader, opts);
  } catch (err) {
    main.disconnect();
    blocking.disconnect();
    throw err;
  }
}

function connectionOptions(opts: typeof DEFAULTS, name: string): RedisOptions {
  return {
    lazyConnect: true,
    connectionName: name,
    connectTimeout: Math.max(opts.commandTimeoutMs, 1_000),
    commandTimeout: opts.commandTimeoutMs,
    // Fail fast while disconnected; never queue commands for a Redis that is away.
    enableOfflineQueue: false,
    // A commit whose reply was lost may have run: resending it would report conflict or duplicate
    // for a change that succeeded. Fail it instead; the caller retries from a fresh read.
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (times) => Math.min(100 * times, 2_000),
  };
}

/** The Redis adapter of the store port (STYLE 8); same contract suite as MemoryStore. */
export class RedisStore extends DelegatedIdentity implements Store {
  /** Owner token of this store's leases. */
  private readonly instanceId = randomUUID();
  readonly kind = 'redis';
  private closing: Promise<void> | null = null;
  /** Issue 11: the audit log and identity records (redis-identity.ts). */
  readonly identity: RedisIdentity;

  constructor(
    /** The command connection, with the store's scripts defined (for leases and diagnostics). */
    readonly redis: ScriptedRedis,
    readonly keys: RedisKeys,
    private readonly reader: FeedReader,
    private readonly opts: typeof DEFAULTS & Pick<RedisStoreOptions, 'url' | 'onError'>,
  ) {
    super();
    this.identity = new RedisIdentity(redis, keys, {
      io: (work) => this.io(work),
      subscriber: () => new Redis(opts.url, { ...connectionOptions(opts, 'anshin-identity'), lazyConnect: false, enableOfflineQueue: true, commandTimeout: undefined, maxRetriesPerRequest: null }),
      onError: opts.onError ?? (() => {}),
    });
  }

  loadVehicle(vin: string): Promise<VehicleAggregate> {
    return this.io(async () => this.aggregateOf(vin, ...(await this.redis.anshinLoadVehicle(this.keys.vehicle(vin), this.keys.vehicleOpen(vin), this.keys.prefix))));
  }

  readEvent(vin: string, eventId: string): Promise<EventRead> {
    return this.io(async () => {
      const k = this.keys;
      const reply = await this.redis.anshinReadEvent(k.seen(vin, eventId), k.vehicle(vin), k.vehicleOpen(vin), k.position(vin), k.positionTrack(vin), k.prefix);
      if (reply[0] === 1) return { seen: true };
      const [, json, caseJsons, sessionJsons, last, track] = reply;
      return { seen: false, aggregate: await this.aggregateOf(vin, json, caseJsons, sessionJsons), positions: decodePositions(last, track) };
    });
  }

  /** The car as the load scripts return it (redis-scripts.ts `load_vehicle`). */
  private async aggregateOf(vin: string, json: string, caseJsons: string[], sessionJsons: string[]): Promise<VehicleAggregate> {
    const vehicle = json ? (JSON.parse(json) as VehicleState) : emptyVehicle(vin);
    const cases = caseJsons.map(parse<Case>);
    const sessions = sessionJsons.map(parse<VoiceSession>);
    // The script skips a session it could not find through cjson (see LOAD_VEHICLE_FN): read those here.
    // The commit's version check still guards the whole aggregate.
    const have = new Set(sessions.map((s) => s.id));
    const missing = cases.map((c) => c.sessionId).filter((id) => !have.has(id));
    if (missing.length > 0) sessions.push(...(await this.getMany(missing.map((id) => this.keys.session(id)))).map(parse<VoiceSession>));
    return { vehicle, cases, sessions };
  }

  commit(change: Commit): Promise<CommitResult> {
    return this.io(async () => {
      const version = change.expectedVersion + 1;
      const keys: string[] = [
        this.keys.vehicle(change.vin),
        this.keys.seen(change.vin, change.eventId ?? ''),
        this.keys.openCases,
        this.keys.closedCases,
        this.keys.lockouts,
        this.keys.alerts(change.vin),
        this.keys.impacts(change.vin),
        this.keys.commands(change.vin),
        this.keys.commandIds(change.vin),
        this.keys.commandAcks(change.vin),
        this.keys.feedSeq,
        this.keys.feed,
        this.keys.outbox,
        this.keys.outboxIds,
        this.keys.outboxDue,
      ];
      const until = change.vehicle.lockout.until;
      if (until !== null && !Number.isFinite(until)) throw new Error(`vehicle ${change.vin}: lockout.until is not a time`);
      const args: (string | number)[] = [
        change.expectedVersion,
        change.eventId !== undefined ? 1 : 0,
        this.opts.dedupeTtlSeconds,
        JSON.stringify({ ...change.vehicle, version }),
        change.vin,
        until === null ? '' : until,
        this.opts.feedHistory,
        this.opts.commandsPerVehicle,
        change.feed.length,
      ];
      args.push(change.cases.length);
      for (const c of change.cases) {
        keys.push(this.keys.case(c.id), this.keys.vehicleOpen(c.vin));
        const score = c.status === 'open' ? openScore(c.priority, c.openedAt) : closedScore(c.closedAt);
        // A bad score would fail inside the script after earlier writes (Redis does not roll back).
        if (!Number.isFinite(score)) throw new Error(`case ${c.id}: unreadable ${c.status === 'open' ? 'openedAt' : 'closedAt'}`);
        args.push(c.id, JSON.stringify(c), c.status, score);
      }
      args.push(change.sessions.length);
      for (const s of change.sessions) {
        keys.push(this.keys.session(s.id));
        args.push(JSON.stringify(s));
      }
      for (const list of [change.alerts, change.impacts]) args.push(list.length, ...list.map((x) => JSON.stringify(x)));
      args.push(change.commands.length);
      // commandId first: the script reads it with a pattern when it trims old records.
      for (const { commandId, ...rest } of change.commands) args.push(commandId, JSON.stringify({ commandId, ...rest }));
      const outbox = change.outbox ?? [];
      args.push(outbox.length);
      for (const m of outbox) args.push(m.key, m.id, JSON.stringify(m), m.at);
      const drafts = change.feed.map((d) => JSON.stringify(d));
      args.push(...drafts);
      // Issue 11: the change's audit entries, after everything else (redis-scripts.ts header).
      keys.push(this.keys.audit, this.keys.auditIds);
      args.push(...auditArgs(this.keys.prefix, change.audit ?? []));

      const [status, first = 0] = await this.redis.anshinCommit(keys.length, ...keys, ...args);
      if (status === 'duplicate' || status === 'conflict') return { status };
      // A copy, as the memory store hands out: the drafts stay the caller's.
      const feed = change.feed.map((draft, i) => ({ ...cloneData(draft), seq: first + i }) as FeedMessage);
      if (feed.length > 0) this.reader.committed(feed);
      return { status: 'ok', feed };
    });
  }

  getCase(id: string): Promise<Case | null> {
    return this.io(async () => {
      const json = await this.redis.get(this.keys.case(id));
      return json ? parse<Case>(json) : null;
    });
  }

  listCases(status: CaseStatus): Promise<Case[]> {
    return this.io(async () => {
      if (status === 'open') return (await this.feedSnapshot()).cases;
      const ids = await this.redis.zrevrange(this.keys.closedCases, 0, -1);
      const cases = (await this.getMany(ids.map((id) => this.keys.case(id)))).map(parse<Case>).filter((c) => c.status === 'closed');
      // The zset is an index; the order is the policy's, as in the memory store.
      return cases.sort(compareClosedOrder);
    });
  }

  getSession(id: string): Promise<VoiceSession | null> {
    return this.io(async () => {
      const json = await this.redis.get(this.keys.session(id));
      return json ? parse<VoiceSession>(json) : null;
    });
  }

  listAlerts(vin: string): Promise<SecurityAlert[]> {
    return this.io(async () => (await this.redis.lrange(this.keys.alerts(vin), 0, -1)).map(parse<SecurityAlert>));
  }

  listImpacts(vin: string): Promise<RecordedImpact[]> {
    return this.io(async () => (await this.redis.lrange(this.keys.impacts(vin), 0, -1)).map(parse<RecordedImpact>));
  }

  listCommands(vin: string): Promise<CommandRecord[]> {
    return this.io(async () => {
      const [records, acks] = await this.redis
        .multi()
        .lrange(this.keys.commands(vin), 0, -1)
        .hgetall(this.keys.commandAcks(vin))
        .exec()
        .then((replies) => (replies ?? []).map(([err, value]) => {
          if (err) throw err;
          return value;
        }) as [string[], Record<string, string>]);
      return records.map((json) => {
        const record = parse<CommandRecord>(json);
        const ack = acks[record.commandId];
        if (ack !== undefined) record.ack = parse<CommandAckRecord>(ack);
        return record;
      });
    });
  }

  recordAck(vin: string, ack: Ack, at: string): Promise<'ok' | 'unknown'> {
    return this.io(async () => {
      const value = JSON.stringify(ackRecord(ack, at));
      const found = await this.redis.anshinRecordAck(this.keys.commandIds(vin), this.keys.commandAcks(vin), ack.commandId, value);
      return found === 1 ? 'ok' : 'unknown';
    });
  }

  feedSnapshot(): Promise<FeedSnapshot> {
    return this.io(async () => {
      const [seq, cases] = await this.redis.anshinSnapshot(this.keys.feedSeq, this.keys.openCases, this.keys.prefix);
      // The zset already holds queue order; sorting again by the policy makes ties identical to the memory adapter.
      return { seq: Number(seq), cases: cases.map(parse<Case>).filter((c) => c.status === 'open').sort(compareOpenOrder), epoch: await this.feedEpoch() };
    });
  }

  /** Shared by every instance; a Redis that lost its data (and so its feed) gets a new one. */
  feedEpoch(): Promise<string> {
    return this.io(async () => {
      await this.redis.set(this.keys.feedEpoch, randomUUID(), 'NX');
      return (await this.redis.get(this.keys.feedEpoch))!;
    });
  }

  feedSince(seq: number): Promise<FeedMessage[] | null> {
    return this.io(async () => {
      const [current, entries] = await this.redis.anshinFeedSince(this.keys.feedSeq, this.keys.feed, seq, this.opts.feedHistory);
      if (!inFeedWindow(seq, current, this.opts.feedHistory)) return null;
      const messages = entries.map(([, fields]) => parseFeedEntry(fields)).filter((m) => m.seq > seq);
      // The window says these seqs are kept; if some are missing anyway (trimmed by hand, data loss),
      // a replay with a hole would break the contract: report "too old" so the client takes a snapshot.
      const expected = current - Math.floor(seq);
      if (messages.length !== expected || messages.some((m, i) => m.seq !== Math.floor(seq) + 1 + i)) return null;
      return messages;
    });
  }

  onFeed(listener: FeedListener): () => void {
    return this.reader.subscribe(listener);
  }

  scheduledLockouts(): Promise<ScheduledLockout[]> {
    return this.io(async () => {
      const flat = await this.redis.zrange(this.keys.lockouts, '0', '-1', 'WITHSCORES');
      const out: ScheduledLockout[] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) out.push({ vin: flat[i]!, until: Number(flat[i + 1]) });
      return out;
    });
  }

  outboxPending(olderThan: number, limit: number): Promise<OutboxMessage[]> {
    return this.io(async () => {
      const keys = await this.redis.zrangebyscore(this.keys.outboxDue, '-inf', olderThan, 'LIMIT', 0, limit);
      if (keys.length === 0) return [];
      const values = await this.redis.hmget(this.keys.outbox, ...keys);
      return values.filter((v): v is string => v !== null).map(parse<OutboxMessage>);
    });
  }

  outboxDone(sent: Pick<OutboxMessage, 'key' | 'id'>[]): Promise<void> {
    return this.io(async () => {
      if (sent.length === 0) return;
      await this.redis.anshinOutboxDone(this.keys.outbox, this.keys.outboxIds, this.keys.outboxDue, ...sent.flatMap((m) => [m.key, m.id]));
    });
  }

  /**
   * Why an acknowledged event could be lost by this Redis itself, or null: without the append-only file
   * a Redis restart goes back to its last snapshot. Null too when CONFIG is not allowed (managed Redis).
   */
  async durabilityWarning(): Promise<string | null> {
    try {
      const [, appendonly] = (await this.redis.config('GET', 'appendonly')) as string[];
      if (appendonly === 'no') return 'Redis runs without appendonly: a Redis restart loses what was committed since its last snapshot (set appendonly yes, see infra/redis.conf)';
    } catch {
      // CONFIG may be renamed or refused: nothing to say
    }
    return null;
  }

  ping(): Promise<void> {
    return this.io(async () => void (await this.redis.ping()));
  }

  claim(name: string, ttlMs: number): Promise<boolean> {
    return this.io(() => this.lease(name, ttlMs, this.instanceId).acquire());
  }

  // Issue 12: last known positions, saved in batches by ingest (positions-port.ts, redis-positions.ts).
  private positionsOnRedis?: RedisPositions;
  readonly positionsShared = true;

  private get positions(): RedisPositions {
    return (this.positionsOnRedis ??= new RedisPositions(this.redis, this.keys));
  }

  savePositions(updates: PositionUpdate[]): Promise<void> {
    return this.io(async () => {
      if (updates.length > 0) await this.positions.save(updates);
    });
  }

  loadPositions(vin: string): Promise<KnownPositions | null> {
    return this.io(() => this.positions.load(vin));
  }

  // Issue 12 part 6 (D4.6): tracking tokens and service cars' newest fixes (service-car-port.ts, redis-service-cars.ts).
  private serviceCarsOnRedis?: RedisServiceCars;

  private get serviceCars(): RedisServiceCars {
    return (this.serviceCarsOnRedis ??= new RedisServiceCars(this.redis, this.keys));
  }

  putTrackToken(token: string, caseId: string): Promise<void> {
    return this.io(() => this.serviceCars.putToken(token, caseId));
  }

  findTrackToken(token: string): Promise<string | null> {
    return this.io(() => this.serviceCars.findToken(token));
  }

  saveServiceCarFixes(fixes: ServiceCarFix[]): Promise<void> {
    return this.io(() => this.serviceCars.save(fixes));
  }

  loadServiceCarFix(id: string): Promise<ServiceCarFix | null> {
    return this.io(() => this.serviceCars.load(id));
  }

  // Issue 12 part 5 (D4.5): the contact-confirmation token index (contacts-port.ts, redis-contacts.ts).
  private contactTokensOnRedis?: RedisContactTokens;

  private get contactTokens(): RedisContactTokens {
    return (this.contactTokensOnRedis ??= new RedisContactTokens(this.redis, (hash) => this.keys.contactToken(hash)));
  }

  putContactTokens(entries: ContactTokenEntry[], ttlMs: number): Promise<void> {
    return this.io(() => this.contactTokens.putContactTokens(entries, ttlMs));
  }

  findContactToken(tokenHash: string): Promise<string | null> {
    return this.io(() => this.contactTokens.findContactToken(tokenHash));
  }

  /** A lease on this Redis (e.g. so that one instance fires lockout expiries). */
  lease(name: string, ttlMs: number, owner?: string): RedisLease {
    return new RedisLease(this.redis, this.keys.lease(name), ttlMs, owner);
  }

  // Issue 11: audit and identity, each change one script with its audit entry (redis-identity.ts).

  appendAudit(entries: AuditEntry[]): Promise<void> {
    return this.identity.appendAudit(entries);
  }

  listAudit(query: AuditStoreQuery): Promise<AuditEntry[] | null> {
    return this.identity.listAudit(query);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.identity.close();
      await this.reader.close();
      await this.redis.quit().catch(() => this.redis.disconnect());
    })();
    return this.closing;
  }

  /** Runs a port method: a connection error or timeout of Redis becomes StoreUnavailable (an outage). */
  private async io<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (err instanceof StoreUnavailable || !isOutage(err)) throw err;
      throw new StoreUnavailable(`Redis unavailable: ${(err as Error).message}`, { cause: err });
    }
  }

  private async getMany(keys: string[]): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i < keys.length; i += 1_000) {
      const values = await this.redis.mget(keys.slice(i, i + 1_000));
      for (const v of values) if (v !== null) out.push(v);
    }
    return out;
  }
}

/**
 * ioredis' errors of an unreachable or stalled Redis (offline queue off: it fails at once instead of
 * queueing), and the replies of a Redis that cannot serve yet. Any other reply error (a script
 * refusing bad data) is a fault, not an outage.
 */
const OUTAGE_MESSAGE = /Command timed out|Connection is closed|Stream isn't writeable|aborted due to connection close|max retries per request|Socket timeout|connect ETIMEDOUT/i;
const OUTAGE_REPLY = /^(LOADING|BUSY|MASTERDOWN|TRYAGAIN|READONLY)\b/;
const OUTAGE_CODE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

function isOutage(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err instanceof ReplyError) return OUTAGE_REPLY.test(err.message);
  const code = (err as { code?: unknown }).code;
  return err.name === 'AbortError' || OUTAGE_MESSAGE.test(err.message) || (typeof code === 'string' && OUTAGE_CODE.has(code));
}

function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

function parse<T>(json: string): T {
  return JSON.parse(json) as T;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
