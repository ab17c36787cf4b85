import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventSchemas, Telemetry, parseTopic, topics, validator } from '../../protocol/index.js';
import { SystemClock } from '../../lib/clock/index.js';
import { Fleet, fleetVin, storm } from '../../simulator/fleet/index.js';
import { startRecorder, startTestBroker, type Recorder, type TestBroker } from '../helpers/sim-broker.js';
import { runCli } from '../helpers/sim-cli.js';

const clock = new SystemClock();
let broker: TestBroker;
let backend: Recorder;

beforeEach(async () => {
  broker = await startTestBroker();
  backend = await startRecorder(broker.url, 'v1/vehicles/+/+/#');
  await backend.client.subscribeAsync('v1/vehicles/+/telemetry', { qos: 0 });
});
afterEach(async () => {
  await backend.end();
  await broker.stop();
});

describe('Fleet over a real aedes broker', () => {
  it('connects every car on a ramp, drives them with valid telemetry, and a storm of crashes is fully acknowledged', async () => {
    const fleet = new Fleet({ url: broker.url, clock, cars: 60, seed: 42, telemetryHz: 5, rampPerSec: 600 });
    const progress = await fleet.connectAll();
    expect(progress).toEqual({ started: 60, connected: 60, failed: 0 });
    await storm(fleet, clock, 30, 200);
    // every crash acknowledged by the broker and seen by the backend, and some telemetry driven
    await expect.poll(() => fleet.summary(), { timeout: 10_000 }).toMatchObject({ eventsAcked: 30, eventsPending: 0 });
    const eventIds = () => new Set(backend.messages.filter((m) => parseTopic(m.topic).kind === 'event').map((m) => (m.payload as { eventId: string }).eventId));
    await expect.poll(() => eventIds().size, { timeout: 10_000 }).toBe(30);
    await expect.poll(() => fleet.summary().telemetrySent, { timeout: 10_000 }).toBeGreaterThan(60);
    await expect.poll(() => backend.messages.filter((m) => m.topic.endsWith('/telemetry')).length, { timeout: 10_000 }).toBeGreaterThan(0);
    const s = fleet.summary();
    await fleet.stop();
    expect(s.connected).toBe(60);
    expect(s.connectMs).not.toBeNull();
    expect(s.eventsSent).toBe(30);
    expect(s.eventsAcked).toBe(30);
    expect(s.eventsPending).toBe(0);
    expect(s.telemetrySent).toBeGreaterThan(60);
    const events = backend.messages.filter((m) => parseTopic(m.topic).kind === 'event');
    expect(new Set(events.map((m) => (m.payload as { eventId: string }).eventId)).size).toBe(30);
    for (const m of events) {
      const t = parseTopic(m.topic) as { type: 'airbag' | 'impact' };
      expect(validator(EventSchemas[t.type]).issues(m.payload)).toEqual([]);
    }
    const tel = backend.messages.filter((m) => m.topic.endsWith('/telemetry'));
    expect(tel.length).toBeGreaterThan(0);
    for (const m of tel.slice(0, 50)) expect(validator(Telemetry).issues(m.payload)).toEqual([]);
  });

  it('anshin sim fleet --json prints a summary object', async () => {
    const r = await runCli(['sim', 'fleet', '--cars', '20', '--duration', '1s', '--telemetry-hz', '2', '--crash-rate', '600', '--url', broker.url, '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as Record<string, number>;
    expect(s).toMatchObject({ cars: 20, connected: 20, connectFailures: 0, errors: 0 });
    expect(s.eventsAcked).toBe(s.eventsSent);
    expect(s.telemetrySent).toBeGreaterThan(20);
    // Cars 0..19 of seed 42, each announced online (retained status) and offline again at the end.
    const last = topics.status(fleetVin(42, 19));
    await backend.waitFor((m) => m.topic === last && (m.payload as { online: boolean }).online === false);
  });
});
