/**
 * Issue 11: the service and its HTTP app with AUTH=on, through `inject` (STYLE 16: no ports), over a
 * MemoryStore on a VirtualClock; cheap password hashing (PASSWORD_SCRYPT_COST 10) so that tests may log
 * in often. `as(token)` sends requests with that bearer token.
 */
import type { FastifyInstance, InjectOptions } from 'fastify';
import { pino } from 'pino';
import { topics, type AuditEntry, type Role } from '../../protocol/index.js';
import { VirtualClock } from '../../lib/clock/index.js';
import { loadConfig, type Config } from '../../services/config.js';
import { buildApp } from '../../services/incident/app.js';
import { IncidentService } from '../../services/incident/service.js';
import { MemoryStore } from '../../services/incident/store/memory-store.js';
import { validEvent } from './raw-mqtt.js';

export const T0 = Date.parse('2026-11-21T10:00:00.000Z');
export const ADMIN_PASSWORD = 'admin-password-for-tests';
export const PASSWORD = 'operator-password-1';

export interface Reply {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read JSON bodies loosely
  body: any;
  headers: Record<string, unknown>;
}

export interface AuthWorld {
  app: FastifyInstance;
  service: IncidentService;
  store: MemoryStore;
  clock: VirtualClock;
  config: Config;
  /** Every publish the service made (topic, payload). */
  published: { topic: string; payload: string }[];
  /** A request with a bearer token (or none: null); `headers` add to it. */
  as(token: string | null, options: InjectOptions): Promise<Reply>;
  login(username: string, password?: string, remoteAddress?: string): Promise<Reply>;
  /** Logs in as the first admin and creates the account, then logs it in: its token. */
  operator(username: string, role?: Role): Promise<string>;
  adminToken(): Promise<string>;
  /** Opens an SOS case on `vin`: its id. */
  sos(vin: string): Promise<string>;
  /** The whole audit, oldest first (from the store, not the API). */
  audit(): Promise<AuditEntry[]>;
  close(): Promise<void>;
}

export async function authWorld(over: Partial<Config> = {}): Promise<AuthWorld> {
  const clock = new VirtualClock(T0);
  const config = loadConfig({}, { LOG_LEVEL: 'silent', AUTH: 'on', ADMIN_PASSWORD, PASSWORD_SCRYPT_COST: 10, ...over });
  const logger = pino({ level: 'silent' });
  const store = new MemoryStore({ clock });
  const published: { topic: string; payload: string }[] = [];
  const service = new IncidentService({
    store,
    clock,
    config,
    logger,
    newId: ulidLike(),
    outbound: {
      publish: (topic, payload, _options, done) => {
        published.push({ topic, payload: String(payload) });
        done?.();
      },
    },
  });
  await service.start();
  const app = await buildApp({ service, config, logger, readiness: [] });
  let admin: string | null = null;

  const as = async (token: string | null, options: InjectOptions): Promise<Reply> => {
    const res = await app.inject({ ...options, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(options.headers ?? {}) } });
    let body: unknown = res.body;
    try {
      body = res.json();
    } catch {
      /* not JSON */
    }
    return { status: res.statusCode, body, headers: res.headers };
  };
  const login = (username: string, password = PASSWORD, remoteAddress?: string) =>
    as(null, { method: 'POST', url: '/v1/auth/login', payload: { username, password }, ...(remoteAddress ? { remoteAddress } : {}) });
  const world: AuthWorld = {
    app,
    service,
    store,
    clock,
    config,
    published,
    as,
    login,
    async adminToken() {
      if (!admin) {
        const res = await login('admin', ADMIN_PASSWORD);
        if (res.status !== 200) throw new Error(`admin login: ${res.status} ${JSON.stringify(res.body)}`);
        admin = res.body.token as string;
      }
      return admin;
    },
    async operator(username, role = 'operator') {
      const created = await as(await world.adminToken(), { method: 'POST', url: '/v1/operators', payload: { username, password: PASSWORD, role } });
      if (created.status !== 201) throw new Error(`create ${username}: ${created.status} ${JSON.stringify(created.body)}`);
      const res = await login(username);
      if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.token as string;
    },
    async sos(vin) {
      const outcome = await service.ingest(topics.event(vin, 'sos'), Buffer.from(JSON.stringify(validEvent(vin, 'sos', { ts: new Date(clock.now()).toISOString() }))));
      if (outcome.status !== 'accepted' || !outcome.processed.committed) throw new Error(`the SOS was not committed: ${JSON.stringify(outcome)}`);
      const opened = outcome.processed.committed.feed.find((m) => m.type === 'case.opened');
      if (opened?.type !== 'case.opened') throw new Error('no case opened');
      return opened.case.id;
    },
    async audit() {
      return ((await store.listAudit({ limit: 100_000 })) ?? []).reverse();
    },
    async close() {
      await app.close();
      await service.stop();
    },
  };
  return world;
}

function ulidLike(): () => string {
  let n = 0;
  return () => `ID${String(++n).padStart(10, '0')}`;
}
