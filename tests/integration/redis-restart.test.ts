import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCommand } from '../../simulator/car/index.js';
import { VirtualClock } from '../../lib/clock/index.js';
import type { Case } from '../../protocol/index.js';
import { testRedis, uniquePrefix, type TestRedis } from '../helpers/redis.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';
import { vin } from '../helpers/vins.js';

/** Issue 3: with REDIS_URL, a restart of the service loses nothing. Real Redis, real broker, real sockets. */
describe('restart with Redis', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await testRedis();
  });
  afterAll(async () => redis.close());

  it('D3.5: open cases, sessions, lockouts and feed history survive a restart; a lockout that expired while down clears at start', async () => {
    const clock = new VirtualClock();
    const config = { REDIS_URL: redis.url, REDIS_KEY_PREFIX: uniquePrefix('restart') };
    let stack: TestStack = await startTestStack({ clock, config });
    const feed = await stack.feed();
    const sos = await stack.car(vin(30));
    const crash = await stack.car(vin(31), 2);
    await sos.pressSos();
    await crash.airbag();
    const opened = await feed.count((m) => m.type === 'case.opened', 2);
    const sosCase = opened.map((m) => (m as { case: Case }).case).find((c) => c.vin === vin(30))!;
    await stack.http('POST', `/v1/cases/${sosCase.id}/answer`, {});
    await stack.http('POST', `/v1/cases/${sosCase.id}/hangup`, {});
    await sos.signals.waitFor((s) => s.kind === 'lockout' && s.lockout.until !== null);
    const lastSeq = feed.messages.at(-1)!.seq;
    const before = (await stack.http('GET', '/v1/cases?status=open')).body as Case[];
    await stack.close();

    await clock.advanceTo(clock.now() + 61 * 60_000); // down for 61 minutes: the SOS car's lockout fell due
    stack = await startTestStack({ clock, config });
    await clock.advance(0); // timers re-armed at start fire now, on the virtual clock
    try {
      const after = (await stack.http('GET', '/v1/cases?status=open')).body as Case[];
      expect(after.map((c) => c.id)).toEqual(before.map((c) => c.id));
      expect((await stack.http('GET', `/v1/sessions/${sosCase.sessionId}`)).body).toMatchObject({ state: 'cleared', clearedBy: 'operator' });
      // The crashed car's call is still live: its lockout holds; the SOS car's expired at start.
      expect((await stack.http('GET', `/v1/vehicles/${vin(31)}/lockout`)).body).toMatchObject({ active: true, until: null });
      await expect.poll(async () => (await stack.http('GET', `/v1/vehicles/${vin(30)}/lockout`)).body.active).toBe(false);
      const car = await stack.car(vin(30), 3);
      await car.signals.waitFor((s) => s.kind === 'lockout' && !s.lockout.active);
      // Feed history resumes across the restart, with no gaps.
      const resumed = await stack.feed(`since=${lastSeq - 3}`);
      const replayed = await resumed.count(() => true, 4);
      expect(replayed.slice(0, 4).map((m) => m.seq)).toEqual([lastSeq - 2, lastSeq - 1, lastSeq, lastSeq + 1]);
      expect(replayed.some((m) => m.type === 'lockout.updated' && !m.lockout.active)).toBe(true);
    } finally {
      await stack.close();
    }
  });

  it('D2.1: the whole airbag path works on Redis like on memory', async () => {
    const stack = await startTestStack({ config: { REDIS_URL: redis.url, REDIS_KEY_PREFIX: uniquePrefix('path') } });
    try {
      const feed = await stack.feed();
      const car = await stack.car(vin(32));
      await car.airbag();
      const { case: c } = await feed.next<{ case: Case }>((m) => m.type === 'case.opened');
      expect((await stack.http('POST', `/v1/cases/${c.id}/answer`, {})).status).toBe(200);
      await car.signals.waitFor(isCommand('call.state', (s) => s.state === 'connected'));
      expect((await stack.http('POST', `/v1/cases/${c.id}/answer`, {}, { 'x-operator-id': 'op-2' })).status).toBe(409);
      expect((await stack.http('GET', '/readyz')).body.checks).toEqual({ store: 'ok', broker: 'ok', ingest: 'ok' });
    } finally {
      await stack.close();
    }
  });

  it('D3.5: with two instances on one Redis, a lockout expiry is claimed and fired by one of them, once', async () => {
    const clock = new VirtualClock();
    const config = { REDIS_URL: redis.url, REDIS_KEY_PREFIX: uniquePrefix('claim') };
    const [a, b] = [await startTestStack({ clock, config }), await startTestStack({ clock, config })];
    try {
      const car = await a.car(vin(33));
      await car.pressSos();
      // The other instance has the case through the shared store, and hangs it up.
      let c: Case | undefined;
      await expect.poll(async () => (c = ((await b.http('GET', '/v1/cases')).body as Case[])[0])).toBeDefined();
      expect((await b.http('POST', `/v1/cases/${c!.id}/hangup`, {})).status).toBe(200);
      await car.signals.waitFor((s) => s.kind === 'lockout' && s.lockout.until !== null);
      await expect.poll(() => a.service.scheduler.armed() + b.service.scheduler.armed()).toBe(2); // both armed it

      await clock.advance(60 * 60_000);
      await car.signals.waitFor((s) => s.kind === 'lockout' && !s.lockout.active);
      await clock.advance(60_000); // past the claim: the instance that lost it looks again and finds it done
      const expired = async (s: TestStack) => Number(/anshin_lockouts_expired_total (\d+)/.exec((await s.http('GET', '/metrics')).body)?.[1] ?? 0);
      expect((await expired(a)) + (await expired(b))).toBe(1);
      const cleared = car.signals.history().filter((s) => s.kind === 'command' && s.command.cmd === 'lockout' && !s.command.active);
      expect(cleared).toHaveLength(1);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
