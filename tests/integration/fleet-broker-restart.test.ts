import { afterEach, describe, expect, it } from 'vitest';
import { Fleet } from '../../simulator/fleet/fleet.js';
import { startCrashes } from '../../simulator/fleet/incidents.js';
import { SystemClock } from '../../lib/clock/index.js';
import type { Case } from '../../protocol/index.js';
import { startMosquitto, type Mosquitto } from '../../lib/process/mosquitto.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';

/**
 * Issue 4: the broker restarts in the middle of a fleet run. Cars keep each event in their outbox until
 * PUBACK and re-send it on reconnect; the broker keeps the service's persistent session on disk; the
 * service dedupes by (vin, eventId). Every emergency event reaches the service, and opens one case.
 */
describe('broker restart during a fleet run', () => {
  let mosquitto: Mosquitto | undefined;
  let stack: TestStack | undefined;
  let fleet: Fleet | undefined;
  afterEach(async () => {
    await fleet?.stop();
    await stack?.close();
    await mosquitto?.close();
  });

  it('every emergency event reaches the service exactly once', async () => {
    mosquitto = await startMosquitto({ persistent: true });
    // No shared group: Mosquitto 2.0.11 restores shared subscriptions dead after its own restart, so events
    // published before the instance re-subscribes are dropped (README, "Three ways to run it").
    stack = await startTestStack({ config: { MQTT_URL: mosquitto.url, MQTT_CLIENT_ID: 'anshin-fleet-restart' } });
    const clock = new SystemClock();
    fleet = new Fleet({ url: mosquitto.url, clock, cars: 60, seed: 7, telemetryHz: 1, rampPerSec: 600, reconnectPeriodMs: 200 });
    const connected = await fleet.connectAll();
    expect(connected.connected).toBe(60);

    const stopCrashes = startCrashes(fleet, clock, 900); // about 15 a second, on distinct cars
    // Crashes are flowing and acknowledged before the restart...
    await expect.poll(() => fleet!.summary().eventsAcked, { timeout: 10_000 }).toBeGreaterThanOrEqual(10);
    const sentBeforeRestart = fleet.summary().eventsSent;
    await mosquitto.restart(700);
    // ...and after it: every car is back, and crashes fired since the restart are acknowledged too.
    await expect
      .poll(() => fleet!.summary(), { timeout: 20_000 })
      .toSatisfy((s: ReturnType<Fleet['summary']>) => s.connected === 60 && s.reconnects > 0 && s.eventsAcked >= sentBeforeRestart + 10);
    stopCrashes();
    await fleet.drain();
    const summary = fleet.summary();
    expect(summary.eventsPending).toBe(0);
    expect(summary.eventsAcked).toBe(summary.eventsSent);
    expect(summary.reconnects).toBeGreaterThan(0); // the restart really cut them off

    const s = stack;
    let cases: Case[] = [];
    await expect
      .poll(async () => (cases = (await s.http('GET', '/v1/cases?status=open')).body as Case[]).length, { timeout: 20_000 })
      .toBe(summary.eventsSent);
    expect(new Set(cases.map((c) => `${c.vin}/${c.eventId}`)).size).toBe(summary.eventsSent);
    console.info(`[fleet-restart] ${summary.eventsSent} events across a broker restart, ${cases.length} cases, ${summary.reconnects} reconnects`);
  }, 60_000);
});
