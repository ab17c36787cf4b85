/**
 * Issue 11: the store contract's audit log and identity records, for every adapter (run from
 * describeStoreContract, store-contract.ts). The memory store is the reference.
 */
import { expect, it } from 'vitest';
import type { AuditEntry } from '../../protocol/index.js';
import { VirtualClock } from '../../lib/clock/index.js';
import type { AccountRecord, Store, TokenRecord } from '../../services/incident/store/port.js';
import type { StoreOptions } from './store-contract.js';

const T0 = Date.parse('2026-11-21T10:00:00.000Z');
const VIN = 'JHMZE2H59ES000001';

export function entry(id: string, over: Partial<AuditEntry> = {}): AuditEntry {
  return { id, at: new Date(T0).toISOString(), actor: { kind: 'operator', id: 'op-1' }, action: 'case.answer', details: {}, ...over };
}

function account(username: string, role: AccountRecord['role'] = 'operator'): AccountRecord {
  return { username, displayName: username.toUpperCase(), role, passwordHash: 'scrypt$10$8$1$c2FsdA$aGFzaA', createdAt: new Date(T0).toISOString() };
}

function token(username: string, ttlMs = 3_600_000): TokenRecord {
  return { username, displayName: username, role: 'operator', issuedAt: T0, expiresAt: T0 + ttlMs };
}

const ids = (list: AuditEntry[] | null) => (list ?? []).map((e) => e.id);

/** `make` opens a store that the caller closes; `change` builds an empty commit (store-contract.ts). */
export function identityContract(
  make: (options?: StoreOptions) => Promise<Store>,
  change: (vin: string, expectedVersion: number, over?: object) => Parameters<Store['commit']>[0],
): void {
  it('issue 11: a commit keeps its audit entries with it; a conflicting or duplicate commit keeps none', async () => {
    const store = await make();
    expect((await store.commit(change(VIN, 0, { eventId: 'e1', audit: [entry('a1', { caseId: 'c1', vin: VIN })] }))).status).toBe('ok');
    expect(await store.commit(change(VIN, 0, { audit: [entry('lost-conflict')] }))).toEqual({ status: 'conflict' });
    expect(await store.commit(change(VIN, 1, { eventId: 'e1', audit: [entry('lost-duplicate')] }))).toEqual({ status: 'duplicate' });
    expect(await store.listAudit({ limit: 10 })).toEqual([entry('a1', { caseId: 'c1', vin: VIN })]);
  });

  it('issue 11: the audit is append-only and read newest first, commits and appends in commit order', async () => {
    const store = await make();
    await store.commit(change(VIN, 0, { audit: [entry('a1'), entry('a2')] }));
    await store.appendAudit([entry('a3', { details: { nested: { list: [1.5, 2], empty: {} } } })]);
    // Commit order, not `at` order: a4 is newest although its (another instance's) clock said earlier.
    await store.commit(change(VIN, 1, { audit: [entry('a4', { at: new Date(T0 - 1_000).toISOString() })] }));
    await store.appendAudit([]);
    const all = await store.listAudit({ limit: 100 });
    expect(ids(all)).toEqual(['a4', 'a3', 'a2', 'a1']);
    expect(all![0]).toEqual(entry('a4', { at: new Date(T0 - 1_000).toISOString() }));
    expect(all![1]).toEqual(entry('a3', { details: { nested: { list: [1.5, 2], empty: {} } } }));
    // Copies: changing what was read changes nothing kept.
    all![0]!.details.x = 1;
    expect((await store.listAudit({ limit: 1 }))![0]!.details).toEqual({});
  });

  it('issue 11: audit filters by case, actor and time combine; limit and `before` page through newest first', async () => {
    const store = await make();
    const at = (s: number) => new Date(T0 + s * 1000).toISOString();
    const alice = { kind: 'operator' as const, id: 'alice' };
    const bob = { kind: 'operator' as const, id: 'bob' };
    await store.appendAudit([
      entry('e1', { at: at(0), actor: alice, caseId: 'c1' }),
      entry('e2', { at: at(100), actor: bob, caseId: 'c1' }),
      entry('e3', { at: at(200), actor: alice, caseId: 'c2' }),
      entry('e4', { at: at(300), actor: alice }),
      entry('e5', { at: at(400), actor: bob, caseId: 'c1' }),
    ]);
    expect(ids(await store.listAudit({ caseId: 'c1', limit: 100 }))).toEqual(['e5', 'e2', 'e1']);
    expect(ids(await store.listAudit({ actor: 'alice', limit: 100 }))).toEqual(['e4', 'e3', 'e1']);
    expect(ids(await store.listAudit({ caseId: 'c1', actor: 'bob', limit: 100 }))).toEqual(['e5', 'e2']);
    expect(ids(await store.listAudit({ since: T0 + 200_000, limit: 100 }))).toEqual(['e5', 'e4', 'e3']);
    expect(ids(await store.listAudit({ since: T0 + 100_000, caseId: 'c1', limit: 100 }))).toEqual(['e5', 'e2']);
    expect(ids(await store.listAudit({ actor: 'carol', limit: 100 }))).toEqual([]);
    expect(ids(await store.listAudit({ caseId: 'c9', limit: 100 }))).toEqual([]);
    // Paging: two at a time, each page starting after the last entry of the one before.
    expect(ids(await store.listAudit({ limit: 2 }))).toEqual(['e5', 'e4']);
    expect(ids(await store.listAudit({ limit: 2, before: 'e4' }))).toEqual(['e3', 'e2']);
    expect(ids(await store.listAudit({ limit: 2, before: 'e2' }))).toEqual(['e1']);
    expect(ids(await store.listAudit({ limit: 2, before: 'e1' }))).toEqual([]);
    expect(ids(await store.listAudit({ limit: 5, before: 'e5', caseId: 'c1' }))).toEqual(['e2', 'e1']);
    expect(ids(await store.listAudit({ limit: 1, before: 'e4', actor: 'alice' }))).toEqual(['e3']);
    expect(await store.listAudit({ limit: 2, before: 'no-such-entry' })).toBeNull();
  });

  it('issue 11: accounts are created once, listed by username, deleted with their tokens; each change with its audit entry', async () => {
    // Tokens are valid from T0 on the memory store's clock (Redis counts their TTL from now).
    const store = await make({ clock: new VirtualClock(T0) });
    expect(await store.createAccount(account('zoe', 'admin'), entry('c-zoe', { action: 'operator.create' }))).toBe('ok');
    expect(await store.createAccount(account('amy'), entry('c-amy', { action: 'operator.create' }))).toBe('ok');
    expect(await store.createAccount(account('amy', 'admin'), entry('c-amy-again', { action: 'operator.create' }))).toBe('exists');
    expect(await store.getAccount('amy')).toEqual(account('amy'));
    expect(await store.getAccount('nobody')).toBeNull();
    expect((await store.listAccounts()).map((a) => a.username)).toEqual(['amy', 'zoe']);

    expect(await store.createToken('h-amy', token('amy'), 'user:amy', entry('login-amy', { action: 'auth.login' }))).toBe('ok');
    expect(await store.getToken('h-amy')).toEqual(token('amy'));
    expect(await store.deleteAccount('zoe', entry('d-zoe', { action: 'operator.delete' }))).toBe('last_admin');
    expect(await store.deleteAccount('nobody', entry('d-nobody', { action: 'operator.delete' }))).toBe('not_found');
    expect(await store.deleteAccount('amy', entry('d-amy', { action: 'operator.delete' }))).toBe('ok');
    expect(await store.getAccount('amy')).toBeNull();
    expect(await store.getToken('h-amy')).toBeNull();
    // A login for an account deleted meanwhile keeps nothing.
    expect(await store.createToken('h-amy2', token('amy'), 'user:amy', entry('login-amy2', { action: 'auth.login' }))).toBe('no_account');
    expect(await store.getToken('h-amy2')).toBeNull();
    expect(ids(await store.listAudit({ limit: 100 }))).toEqual(['d-amy', 'login-amy', 'c-amy', 'c-zoe']);
    // With a second admin the first may go.
    await store.createAccount(account('ann', 'admin'), entry('c-ann', { action: 'operator.create' }));
    expect(await store.deleteAccount('zoe', entry('d-zoe2', { action: 'operator.delete' }))).toBe('ok');
    expect(await store.deleteAccount('ann', entry('d-ann', { action: 'operator.delete' }))).toBe('last_admin');
  });

  it('issue 11: a logout deletes the token once: a second one is false and records nothing', async () => {
    const store = await make({ clock: new VirtualClock(T0) });
    await store.createAccount(account('amy'), entry('c-amy'));
    await store.createToken('h1', token('amy'), 'user:amy', entry('in-1'));
    await store.createToken('h2', token('amy'), 'user:amy', entry('in-2'));
    expect(await store.deleteToken('h1', 'amy', entry('out-1'))).toBe(true);
    expect(await store.deleteToken('h1', 'amy', entry('out-1-again'))).toBe(false);
    expect(await store.getToken('h1')).toBeNull();
    expect(await store.getToken('h2')).toEqual(token('amy'));
    expect(ids(await store.listAudit({ limit: 100 }))).toEqual(['out-1', 'in-2', 'in-1', 'c-amy']);
  });

  it('issue 11: a token is forgotten once it expires (memory: on its clock; Redis: the key TTL)', async () => {
    const clock = new VirtualClock(T0);
    const store = await make({ clock });
    await store.createAccount(account('amy'), entry('c-amy'));
    await store.createToken('short', token('amy', 300), 'user:amy', entry('in'));
    expect(await store.getToken('short')).not.toBeNull();
    await clock.advance(301);
    await expect.poll(() => store.getToken('short'), { timeout: 10_000, interval: 50 }).toBeNull();
  });

  it('issue 11: failed logins count per key within a window; a login clears the user key only', async () => {
    const clock = new VirtualClock(T0);
    const store = await make({ clock });
    await store.createAccount(account('amy'), entry('c-amy'));
    expect(await store.loginFailures(['user:amy', 'addr:10.0.0.1'])).toEqual([0, 0]);
    await store.recordLoginFailure(['user:amy', 'addr:10.0.0.1'], 60_000, entry('f1', { action: 'auth.login_failed' }));
    await store.recordLoginFailure(['user:amy', 'addr:10.0.0.1'], 60_000, entry('f2', { action: 'auth.login_failed' }));
    await store.recordLoginFailure(['user:bob', 'addr:10.0.0.1'], 60_000, entry('f3', { action: 'auth.login_failed' }));
    expect(await store.loginFailures(['user:amy', 'addr:10.0.0.1', 'user:bob', 'user:carl'])).toEqual([2, 3, 1, 0]);
    await store.createToken('h', token('amy'), 'user:amy', entry('in'));
    expect(await store.loginFailures(['user:amy', 'addr:10.0.0.1'])).toEqual([0, 3]);
    expect(ids(await store.listAudit({ limit: 100 }))).toEqual(['in', 'f3', 'f2', 'f1', 'c-amy']);
    // The window ends 300 ms after the first failure (Redis: PX; memory: its clock).
    await store.recordLoginFailure(['addr:10.0.0.2'], 300, entry('f4', { action: 'auth.login_failed' }));
    await clock.advance(301);
    await expect.poll(async () => (await store.loginFailures(['addr:10.0.0.2']))[0], { timeout: 10_000, interval: 50 }).toBe(0);
  });

  it('issue 11: a vehicle credential is issued, then rotated; listeners hear both; each with its audit entry', async () => {
    const store = await make();
    const heard: string[] = [];
    const off = store.onVehicleCredential((vin) => heard.push(vin));
    const record = (salt: string) => ({ vin: VIN, salt, hash: `hash-of-${salt}`, issuedAt: new Date(T0).toISOString() });
    expect(await store.getVehicleCredential(VIN)).toBeNull();
    expect(await store.putVehicleCredential(record('s1'), entry('v1', { action: 'vehicle.credentials', vin: VIN }))).toEqual({ rotated: false });
    expect(await store.putVehicleCredential(record('s2'), entry('v2', { action: 'vehicle.credentials', vin: VIN }))).toEqual({ rotated: true });
    expect(await store.getVehicleCredential(VIN)).toEqual(record('s2'));
    expect(heard).toEqual([VIN, VIN]);
    off();
    await store.putVehicleCredential(record('s3'), entry('v3', { action: 'vehicle.credentials', vin: VIN }));
    expect(heard).toHaveLength(2);
    expect(ids(await store.listAudit({ limit: 10 }))).toEqual(['v3', 'v2', 'v1']);
  });
}
