import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Ack, EventSchemas, VehicleStatus, topics, validator } from '../../protocol/index.js';
import { SystemClock, VirtualClock } from '../../lib/clock/index.js';
import { SimulatedCar, isCommand } from '../../simulator/car/index.js';
import { startRecorder, startTestBroker, type Recorder, type TestBroker } from '../helpers/sim-broker.js';

const VIN = 'JHMZE2H59ES000001';
const clock = new SystemClock();
let broker: TestBroker;
let backend: Recorder;
const cars: SimulatedCar[] = [];

function newCar(extra: Partial<ConstructorParameters<typeof SimulatedCar>[0]> = {}): SimulatedCar {
  const car = new SimulatedCar({ vin: VIN, url: broker.url, clock, seed: 7, reconnectPeriodMs: 100, ...extra });
  cars.push(car);
  return car;
}

beforeEach(async () => {
  broker = await startTestBroker();
  backend = await startRecorder(broker.url);
});
afterEach(async () => {
  await Promise.all(cars.splice(0).map((c) => c.end({ graceful: false }).catch(() => {})));
  await backend.end();
  await broker.stop();
});

describe('SimulatedCar over a real aedes broker', () => {
  it('publishes retained online status on connect, valid against VehicleStatus', async () => {
    const car = newCar();
    await car.connect();
    const m = await backend.waitFor((x) => x.topic === topics.status(VIN));
    expect(validator(VehicleStatus).check(m.payload)).toBe(true);
    expect((m.payload as { online: boolean }).online).toBe(true);
  });

  it('a broker that stops acknowledging does not hold up end(): the event in flight fails, the car stops within the grace', async () => {
    const car = newCar();
    await car.connect();
    // Events are held unanswered, as by a saturated broker: no PUBACK ever comes.
    broker.broker.authorizePublish = (_client, packet, done) => {
      if (!packet.topic.includes('/events/')) done(null);
    };
    const fired = car.airbag().then(() => 'acknowledged', (err: Error) => err.message);
    await new Promise((r) => setTimeout(r, 200));
    const started = performance.now();
    await car.end();
    expect(performance.now() - started).toBeLessThan(6_000);
    expect(await fired).toMatch(/ended before PUBACK/);
  });

  it('fires an airbag event, resolving with its eventId after PUBACK; the payload matches the schema', async () => {
    const car = newCar();
    await car.connect();
    const eventId = await car.airbag();
    expect(car.pendingEvents()).toEqual([]);
    const m = await backend.waitFor((x) => x.topic === topics.event(VIN, 'airbag'));
    expect(validator(EventSchemas.airbag).issues(m.payload)).toEqual([]);
    expect((m.payload as { eventId: string }).eventId).toBe(eventId);
  });

  it('D2.5: acks every command, tracks call state and mute; NACKs an invalid command', async () => {
    const car = newCar();
    await car.connect();
    const ts = new Date().toISOString();
    const send = (body: object) => backend.client.publishAsync(topics.commands(VIN), JSON.stringify(body), { qos: 1 });
    await send({ v: 1, commandId: 'cmd1', ts, cmd: 'call.state', sessionId: 's1', state: 'connected', audioMuted: true });
    await car.waitFor(isCommand('call.state', (c) => c.state === 'connected'));
    expect(car.state.audioMuted).toBe(true);
    const ack = await backend.waitFor((x) => x.topic === topics.acks(VIN));
    expect(validator(Ack).check(ack.payload)).toBe(true);
    expect(ack.payload).toEqual({ v: 1, commandId: 'cmd1', ok: true });

    await send({ v: 1, commandId: 'cmd2', ts, cmd: 'call.state', sessionId: 's1', state: 'exploded' });
    const nack = await backend.waitFor((x) => x.topic === topics.acks(VIN) && (x.payload as { commandId: string }).commandId === 'cmd2');
    expect((nack.payload as { ok: boolean }).ok).toBe(false);
    expect(car.counters.errors).toBe(1);
  });

  it('D3.1: learns the lockout from the retained topic, even when it connects later', async () => {
    await backend.client.publishAsync(topics.lockout(VIN), JSON.stringify({ v: 1, vin: VIN, active: true, features: ['trouble_button', 'remote_operations'], until: null }), { qos: 1, retain: true });
    const car = newCar();
    await car.connect();
    await car.waitFor((s) => s.kind === 'lockout');
    expect(car.isLocked('trouble_button')).toBe(true);
    expect(car.isLocked('wifi')).toBe(false);
  });

  it('the broker publishes the retained Last Will {online:false} when the car drops', async () => {
    const car = newCar({ reconnectPeriodMs: 60_000 });
    await car.connect();
    await backend.waitFor((x) => x.topic === topics.status(VIN));
    await car.crashConnection();
    const will = await backend.waitFor((x) => x.topic === topics.status(VIN) && (x.payload as { online: boolean }).online === false);
    expect(validator(VehicleStatus).check(will.payload)).toBe(true);
  });

  it('store-and-forward: events fired while the broker restarts are delivered once it is back', async () => {
    const car = newCar({ reconnectPeriodMs: 800 });
    await car.connect();
    await car.pressSos();
    await backend.end();
    await broker.restart(); // a fresh broker: no sessions, nothing retained
    backend = await startRecorder(broker.url);
    await car.waitFor((s) => s.kind === 'disconnected');
    expect(car.connected).toBe(false);
    const pending = [car.airbag(), car.impact(30, 'front'), car.pressSos()];
    expect(car.pendingEvents()).toHaveLength(3);
    const ids = await Promise.all(pending);
    expect(car.pendingEvents()).toEqual([]);
    for (const id of ids) await backend.waitFor((x) => (x.payload as { eventId?: string }).eventId === id);
    expect(car.counters.reconnects).toBeGreaterThanOrEqual(1);
    // Commands still reach the car on its new session (it re-subscribed).
    await backend.client.publishAsync(topics.commands(VIN), JSON.stringify({ v: 1, commandId: 'after', ts: new Date().toISOString(), cmd: 'callback', sessionId: 's1' }), { qos: 1 });
    await car.waitFor(isCommand('callback'));
    expect(car.state.callbacks).toEqual(['s1']);
  });

  it('store-and-forward: an event in flight (no PUBACK) when the broker dies is re-sent to the new broker', async () => {
    await backend.end();
    await broker.stop();
    const held: string[] = [];
    broker = await startTestBroker({
      holdPublishes: (t) => {
        if (!t.includes('/events/')) return false;
        held.push(t);
        return true;
      },
    });
    backend = await startRecorder(broker.url);
    const car = newCar({ reconnectPeriodMs: 800 });
    await car.connect();
    let acked = false;
    const pending = car.airbag().then((id) => ((acked = true), id));
    // The broker has the event and holds it (no PUBACK will come): the car must not count it as sent.
    await expect.poll(() => held.length).toBeGreaterThan(0);
    expect(acked).toBe(false);
    expect(car.pendingEvents()).toHaveLength(1);
    await backend.end();
    await broker.restart();
    backend = await startRecorder(broker.url);
    const id = await pending;
    expect(car.pendingEvents()).toEqual([]);
    const m = await backend.waitFor((x) => (x.payload as { eventId?: string }).eventId === id);
    expect(validator(EventSchemas.airbag).check(m.payload)).toBe(true);
  });

  it('is deterministic: same seed and virtual clock, identical event payloads (ids, times, data, position)', async () => {
    const runOnce = async (n: number) => {
      const vclock = new VirtualClock(Date.UTC(2026, 10, 21, 10, 0, 0));
      const car = newCar({ clock: vclock, seed: 99, clientId: `det-${n}` });
      await car.connect();
      await car.airbag();
      await vclock.advance(1500);
      await car.impact(20, 'left');
      await car.pressSos();
      await car.setPower('off');
      const ids = car.counters.eventsAcked;
      await car.end();
      await backend.waitFor(() => backend.messages.filter((m) => m.topic.includes('/events/')).length >= ids);
      return backend.messages.splice(0).filter((m) => m.topic.includes('/events/')).map((m) => m.payload);
    };
    const a = await runOnce(1);
    const b = await runOnce(2);
    expect(a).toHaveLength(4);
    expect(b).toEqual(a);
    expect((a[1] as { ts: string }).ts).toBe('2026-11-21T10:00:01.500Z');
  });

  it('rejects a bad VIN at construction', () => {
    expect(() => new SimulatedCar({ vin: 'IOQ', url: broker.url, clock })).toThrow(/invalid VIN/);
  });
});
