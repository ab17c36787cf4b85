import { createHash, timingSafeEqual } from 'node:crypto';
import type { AedesPublishPacket, Client } from 'aedes';
import type { Logger } from 'pino';
import { SystemClock } from '../../lib/clock/index.js';
import { clientIdProblem, identityOf, mayPublish, mayReceive, maySubscribe, unsafeName, type BrokerIdentity } from './acl.js';
import { CredentialCache } from './credential-cache.js';
import { MAIL_USERNAME, TOOL_USERNAME, type BrokerAccount, type BrokerAuthOptions } from './vehicle-auth.js';

/** CONNACK return codes used here (MQTT 3.1.1 §3.2.2.3). The contract answers bad credentials with 5. */
export const CONNACK = { identifierRejected: 2, serverUnavailable: 3, notAuthorized: 5 } as const;
type RefusalCode = (typeof CONNACK)[keyof typeof CONNACK];

/** An authenticate error as aedes takes it: it sends CONNACK `returnCode`, then closes. */
export function connectRefusal(returnCode: RefusalCode, message: string): Error & { returnCode: RefusalCode } {
  return Object.assign(new Error(message), { returnCode });
}

export interface AuthStats {
  authRefused: number;
  sessionsRevoked: number;
}

/** Non-vehicle client ids remembered with their identity (live or persistent sessions); oldest dropped past this. */
const MAX_HELD_IDS = 10_000;

/**
 * AUTH=on on the embedded broker (issue 11): who a client is (authenticate), what it may publish,
 * subscribe to and receive (the ACL of acl.ts), whose client id it may use, and the sessions a
 * credential rotation ends. One per broker; aedes' hooks call into it.
 */
export class BrokerAuth {
  private readonly identities = new WeakMap<Client, BrokerIdentity>();
  private readonly byVin = new Map<string, Set<Client>>();
  /** Non-vehicle client ids and who holds them: another identity may not take one over. */
  private readonly held = new Map<string, { key: string }>();
  /** Revocations per VIN while a verify of that VIN is in flight: such a verify is asked again. */
  private readonly verifying = new Map<string, { count: number; generation: number }>();
  private readonly cache: CredentialCache;
  private readonly accounts: { service?: BrokerAccount; tool?: BrokerAccount; mail?: BrokerAccount };
  private readonly stopListening: () => void;

  constructor(
    private readonly opts: BrokerAuthOptions,
    private readonly log: Logger,
    readonly stats: AuthStats = { authRefused: 0, sessionsRevoked: 0 },
  ) {
    const now = opts.now ?? (() => new SystemClock().now());
    this.cache = new CredentialCache(opts.cacheTtlMs ?? 10 * 60_000, opts.cacheMaxEntries ?? 100_000, now);
    this.accounts = {
      ...(opts.service ? { service: opts.service } : {}),
      ...(opts.tool ? { tool: { ...opts.tool, username: opts.tool.username || TOOL_USERNAME } } : {}),
      ...(opts.mail ? { mail: { ...opts.mail, username: opts.mail.username || MAIL_USERNAME } } : {}),
    };
    this.stopListening = opts.vehicles.onRevoked((vin) => this.revoke(vin));
  }

  /** aedes `authenticate`; `client.id` and `client._will` are already set from the CONNECT. */
  authenticate(client: Client, username: string | undefined, password: Buffer | undefined, done: (err: Error | null, ok: boolean) => void): void {
    const refuse = (code: RefusalCode, reason: string) => {
      this.stats.authRefused++;
      this.log.warn({ clientId: client.id, username, reason, remote: remoteOf(client) }, 'mqtt connection refused');
      done(connectRefusal(code, reason), false);
    };
    if (username === undefined || password === undefined) return refuse(CONNACK.notAuthorized, 'no username or password');
    if (unsafeName(username)) return refuse(CONNACK.notAuthorized, 'username with a wildcard, a slash or a control character');
    const identity = identityOf(username, { service: this.accounts.service?.username, tool: this.accounts.tool?.username, mail: this.accounts.mail?.username });
    if (!identity) return refuse(CONNACK.notAuthorized, 'unknown username');
    if (unsafeName(client.id)) return refuse(CONNACK.identifierRejected, 'client id with a wildcard, a slash or a control character');

    // Who it is first (a stranger learns nothing about client ids), then what it asks for.
    const accept = () => {
      if (client.closed) return done(null, false);
      const idProblem = clientIdProblem(identity, client.id);
      if (idProblem) return refuse(CONNACK.identifierRejected, idProblem);
      const holder = this.held.get(client.id);
      if (identity.kind !== 'vehicle' && holder && holder.key !== identity.key) return refuse(CONNACK.identifierRejected, 'client id held by another identity');
      const will = (client as unknown as { _will?: { topic: string } | null })._will;
      // As Mosquitto does: a Last Will the client could not publish itself is refused at CONNECT.
      if (will && !mayPublish(identity, will.topic)) return refuse(CONNACK.notAuthorized, `last will on a topic it may not publish: ${will.topic}`);
      this.admit(client, identity);
      done(null, true);
    };
    if (identity.kind !== 'vehicle' && identity.kind !== 'service_car') {
      const account = this.accounts[identity.kind]!;
      return sameSecret(password, account.password) ? accept() : refuse(CONNACK.notAuthorized, 'wrong password');
    }
    // Vehicles by VIN; service cars (D4.6) by `svc-<id>`, issued and kept like a vehicle's credentials.
    const credentialKey = credentialKeyOf(identity);
    if (this.cache.has(credentialKey, password)) return accept();
    this.verify(credentialKey, password).then(
      (ok) => {
        if (!ok) return refuse(CONNACK.notAuthorized, 'wrong password');
        this.cache.remember(credentialKey, password);
        accept();
      },
      (err: Error) => {
        // The credential store did not answer: "server unavailable", so the car tries again later
        // instead of taking its password for wrong.
        this.log.error({ err, username: credentialKey }, 'vehicle credentials could not be checked');
        refuse(CONNACK.serverUnavailable, 'credentials cannot be checked now');
      },
    );
  }

  /** Why this client may not publish on `topic`, or null. */
  publishRefusal(client: Client, topic: string): string | null {
    const identity = this.identities.get(client);
    if (!identity) return 'not authenticated';
    return mayPublish(identity, topic) ? null : `${identity.kind} may not publish here`;
  }

  maySubscribe(client: Client, filter: string): boolean {
    const identity = this.identities.get(client);
    return identity !== undefined && maySubscribe(identity, filter);
  }

  /** aedes `authorizeForward`: a vehicle receives only its own backend-to-car topics. */
  forward(client: Client, packet: AedesPublishPacket): AedesPublishPacket | null {
    const identity = this.identities.get(client);
    return identity && mayReceive(identity, packet.topic) ? packet : null;
  }

  /** Credentials of `vin` rotated or removed: forget the cached pair and end its sessions. */
  revoke(vin: string): void {
    this.cache.revoke(vin);
    const inFlight = this.verifying.get(vin);
    if (inFlight) inFlight.generation++;
    const clients = this.byVin.get(vin);
    if (!clients?.size) return;
    this.log.info({ vin, sessions: clients.size }, 'vehicle credentials revoked: disconnecting');
    for (const client of [...clients]) {
      this.stats.sessionsRevoked++;
      client.close();
    }
  }

  close(): void {
    this.stopListening();
  }

  /** Verifies; asks again when the credentials were revoked while it was asking (a rotation racing a connect). */
  private async verify(vin: string, password: Buffer): Promise<boolean> {
    const state = this.verifying.get(vin) ?? { count: 0, generation: 0 };
    state.count++;
    this.verifying.set(vin, state);
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        const generation = state.generation;
        const ok = await this.opts.vehicles.verify(vin, password);
        if (generation === state.generation) return ok;
      }
      return false;
    } finally {
      if (--state.count === 0) this.verifying.delete(vin);
    }
  }

  private admit(client: Client, identity: BrokerIdentity): void {
    this.identities.set(client, identity);
    const id = client.id;
    if (identity.kind === 'vehicle' || identity.kind === 'service_car') {
      // Sessions by credential key: a rotation (`revoke`) ends them.
      const key = credentialKeyOf(identity);
      const set = this.byVin.get(key) ?? new Set<Client>();
      set.add(client);
      this.byVin.set(key, set);
      client.conn.once('close', () => {
        set.delete(client);
        if (set.size === 0 && this.byVin.get(key) === set) this.byVin.delete(key);
      });
      if (identity.kind === 'vehicle') return;
    }
    this.held.delete(id); // re-inserted last: Map order is age order
    if (this.held.size >= MAX_HELD_IDS) this.held.delete(this.held.keys().next().value!);
    const entry = { key: identity.key };
    this.held.set(id, entry);
    // A clean session ends with its connection; a persistent one stays this identity's.
    if (client.clean) client.conn.once('close', () => this.held.get(id) === entry && this.held.delete(id));
  }
}

/** Where a credential-checked identity's password is kept: a vehicle's VIN, a service car's username `svc-<id>` (D4.6). */
function credentialKeyOf(identity: Extract<BrokerIdentity, { kind: 'vehicle' | 'service_car' }>): string {
  return identity.kind === 'vehicle' ? identity.vin : identity.key;
}

/** Constant-time comparison of two secrets of any length (hashed first to equal lengths). */
function sameSecret(given: Buffer, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

function remoteOf(client: Client): string | undefined {
  return (client.conn as { remoteAddress?: string }).remoteAddress;
}
