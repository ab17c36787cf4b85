import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import {
  isoTime,
  type AuditActor,
  type AuditEntry,
  type CreateOperatorBody,
  type LoginResponse,
  type OperatorAccount,
  type VehicleCredentialsIssued,
} from '../../protocol/index.js';
import type { Clock } from '../../lib/clock/index.js';
import { ulidFactory } from '../../lib/ids.js';
import type { Config } from '../config.js';
import { DomainError } from '../incident/domain-errors.js';
import type { AccountRecord, Store } from '../incident/store/port.js';
import { LOGIN_LIMITS, loginLimitKeys, type LoginLimits } from './login-limits.js';
import { decoyHash, hashPassword, verifyPassword } from './passwords.js';
import type { Principal } from './roles.js';
import { newSecret, tokenHash } from './secrets.js';
import { issueVehicleCredential, StoreVehicleCredentials } from './vehicle-credentials.js';

export interface IdentityServiceDeps {
  store: Store;
  clock: Clock;
  config: Config;
  logger: Logger;
  /** Ids of audit entries; ULIDs on the clock by default. */
  newId?: () => string;
  /** Failed-login limits (login-limits.ts); tests shorten them. */
  loginLimits?: LoginLimits;
}

/** The first admin's username (contract). */
export const FIRST_ADMIN = 'admin';
const SYSTEM: AuditActor = { kind: 'system', id: 'startup' };

/**
 * Accounts, logins, tokens and vehicle credentials (issue 11, part 4) over the store; transport-free
 * like the incident service: it returns results or throws DomainErrors (`invalid_credentials`,
 * `rate_limited`, `operator_exists`, ...), which HTTP maps in one place. Every change goes to the store
 * in one step with its audit entry.
 */
export class IdentityService {
  /** What the broker checks cars against (services/broker/vehicle-auth.ts). */
  readonly vehicleCredentials: StoreVehicleCredentials;
  private readonly limits: LoginLimits;
  private readonly newId: () => string;
  private decoy: Promise<string> | null = null;
  private readonly ended = new Set<(ended: { tokenHash?: string; username?: string }) => void>();

  constructor(private readonly deps: IdentityServiceDeps) {
    this.vehicleCredentials = new StoreVehicleCredentials(deps.store);
    this.limits = deps.loginLimits ?? LOGIN_LIMITS;
    this.newId = deps.newId ?? ulidFactory(deps.clock);
  }

  get enabled(): boolean {
    return this.deps.config.AUTH === 'on';
  }

  /**
   * At start-up with AUTH=on: when no account exists, makes the first admin `admin` with ADMIN_PASSWORD,
   * or a random password logged once. Instances starting together make one (the store keeps the first).
   */
  async start(): Promise<void> {
    if (!this.enabled) return;
    const { store, config, logger } = this.deps;
    if ((await store.listAccounts()).length > 0) {
      if (config.ADMIN_PASSWORD) logger.info('ADMIN_PASSWORD is only used to make the first admin: accounts exist, so it was not applied');
      return;
    }
    const password = config.ADMIN_PASSWORD ?? randomBytes(18).toString('base64url');
    const created = await this.createAccount({ username: FIRST_ADMIN, password, role: 'admin', displayName: 'Administrator' }, SYSTEM, { first: true });
    if (created === 'exists') return;
    if (config.ADMIN_PASSWORD) logger.info(`first admin account "${FIRST_ADMIN}" created with ADMIN_PASSWORD`);
    // Contract: printed once. Logged at warn so that LOG_LEVEL=warn still shows it.
    else logger.warn({ username: FIRST_ADMIN }, `first admin account "${FIRST_ADMIN}" created; its password, shown only now: ${password}`);
  }

  /** `POST /v1/auth/login`. Failed logins are counted per username and per address, and refused past the limits. */
  async login(username: string, password: string, address: string): Promise<LoginResponse> {
    const { store, clock, config } = this.deps;
    const keys = loginLimitKeys(username, address);
    const [forUser = 0, forAddress = 0] = await store.loginFailures(keys);
    if (forUser >= this.limits.perUsername || forAddress >= this.limits.perAddress) {
      // Refused without checking the password: guessing goes no further, and it costs no scrypt.
      await store.appendAudit([this.entry('auth.login_failed', { kind: 'operator', id: username }, { details: { address, reason: 'rate_limited' } })]);
      throw new DomainError('rate_limited', 'too many failed logins; try again later', { retryAfterSeconds: Math.ceil(this.limits.windowMs / 1000) });
    }
    const account = await store.getAccount(username);
    // An unknown user costs the same scrypt as a wrong password, and gets the same answer (contract).
    const ok = await verifyPassword(password, account?.passwordHash ?? (await this.decoyHash()));
    if (!account || !ok) {
      await store.recordLoginFailure(keys, this.limits.windowMs, this.entry('auth.login_failed', { kind: 'operator', id: username }, { details: { address, reason: 'invalid_credentials' } }));
      throw invalidCredentials();
    }
    const token = newSecret();
    const issuedAt = clock.now();
    const expiresAt = issuedAt + config.TOKEN_TTL_MINUTES * 60_000;
    const record = { username, displayName: account.displayName, role: account.role, issuedAt, expiresAt };
    const result = await store.createToken(tokenHash(token), record, keys[0]!, this.entry('auth.login', { kind: 'operator', id: username }, { details: { address } }));
    if (result === 'no_account') throw invalidCredentials();
    return { token, expiresAt: isoTime(expiresAt), operator: { username, displayName: account.displayName, role: account.role } };
  }

  /** `POST /v1/auth/logout`: the token ends for every instance. */
  async logout(principal: Principal): Promise<void> {
    if (principal.kind !== 'operator') return;
    await this.deps.store.deleteToken(principal.tokenHash, principal.username, this.entry('auth.logout', { kind: 'operator', id: principal.username }));
    this.tellEnded({ tokenHash: principal.tokenHash });
  }

  /** Whether an operator's token still holds (not expired, not logged out, account not deleted). */
  async stillValid(principal: Extract<Principal, { kind: 'operator' }>): Promise<boolean> {
    if (principal.expiresAt <= this.deps.clock.now()) return false;
    return (await this.deps.store.getToken(principal.tokenHash)) !== null;
  }

  /** Tokens ended on this instance (a logout, a deleted account): open feeds close at once (feed-guard.ts). */
  onTokenEnded(listener: (ended: { tokenHash?: string; username?: string }) => void): () => void {
    this.ended.add(listener);
    return () => this.ended.delete(listener);
  }

  /** The operator a bearer token stands for, or null (unknown, logged out, expired). */
  async authenticate(token: string): Promise<Extract<Principal, { kind: 'operator' }> | null> {
    if (token.length === 0 || token.length > 128) return null;
    const hash = tokenHash(token);
    const record = await this.deps.store.getToken(hash);
    if (!record || record.expiresAt <= this.deps.clock.now()) return null;
    return { kind: 'operator', username: record.username, displayName: record.displayName, role: record.role, tokenHash: hash, expiresAt: record.expiresAt };
  }

  /** `POST /v1/operators` (admin). */
  async createOperator(body: CreateOperatorBody, actor: AuditActor): Promise<OperatorAccount> {
    if ((await this.createAccount(body, actor)) === 'exists') throw new DomainError('operator_exists', `operator ${body.username} exists`, { username: body.username });
    return view((await this.deps.store.getAccount(body.username))!);
  }

  /** `GET /v1/operators`, by username. */
  async listOperators(): Promise<OperatorAccount[]> {
    return (await this.deps.store.listAccounts()).map(view);
  }

  /** `DELETE /v1/operators/{username}` (admin): the account and every token it holds. */
  async deleteOperator(username: string, actor: AuditActor): Promise<void> {
    const result = await this.deps.store.deleteAccount(username, this.entry('operator.delete', actor, { details: { username } }));
    if (result === 'not_found') throw new DomainError('operator_not_found', `no operator ${username}`, { username });
    if (result === 'last_admin') throw new DomainError('last_admin', `${username} is the only admin account`, { username });
    this.tellEnded({ username });
  }

  /** `PUT /v1/vehicles/{vin}/credentials` (admin): a new password, shown once; the old one stops working. */
  async issueVehicleCredentials(vin: string, actor: AuditActor): Promise<VehicleCredentialsIssued> {
    const { password } = await issueVehicleCredential(this.deps.store, vin, actor, { id: this.newId(), now: this.deps.clock.now() });
    return { vin, username: vin, password };
  }

  private async createAccount(body: CreateOperatorBody, actor: AuditActor, extra: Record<string, unknown> = {}): Promise<'ok' | 'exists'> {
    const { store, clock, config } = this.deps;
    const account: AccountRecord = {
      username: body.username,
      displayName: body.displayName ?? body.username,
      role: body.role,
      passwordHash: await hashPassword(body.password, config.PASSWORD_SCRYPT_COST),
      createdAt: isoTime(clock.now()),
    };
    const details = { username: account.username, role: account.role, displayName: account.displayName, ...extra };
    return store.createAccount(account, this.entry('operator.create', actor, { details }));
  }

  private entry(action: string, actor: AuditActor, fields: Pick<AuditEntry, 'caseId' | 'vin'> & { details?: Record<string, unknown> } = {}): AuditEntry {
    return { id: this.newId(), at: isoTime(this.deps.clock.now()), actor, action, ...fields, details: fields.details ?? {} };
  }

  private tellEnded(ended: { tokenHash?: string; username?: string }): void {
    for (const listener of [...this.ended]) listener(ended);
  }

  private decoyHash(): Promise<string> {
    this.decoy ??= decoyHash(this.deps.config.PASSWORD_SCRYPT_COST);
    return this.decoy;
  }
}

function invalidCredentials(): DomainError<'invalid_credentials'> {
  return new DomainError('invalid_credentials', 'unknown username or wrong password', {});
}

function view(a: AccountRecord): OperatorAccount {
  return { username: a.username, displayName: a.displayName, role: a.role, createdAt: a.createdAt };
}
