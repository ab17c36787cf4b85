/**
 * Issue 11, part 2: MQTT over TLS beside plain MQTT on the embedded broker (MQTT_TLS_PORT, TLS_CERT,
 * TLS_KEY), with a certificate made for the test by lib/process/dev-cert.ts (a throw-away CA). A car
 * given that CA connects over mqtts:// with its credentials and its event becomes a case.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Case } from '../../protocol/index.js';
import { SystemClock } from '../../lib/clock/index.js';
import { devCertificate, type DevCertificate } from '../../lib/process/dev-cert.js';
import { SimulatedCar } from '../../simulator/car/index.js';
import { tryConnect } from '../helpers/mqtt-auth.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';
import { MemoryVehicleCredentials } from '../helpers/vehicle-credentials.js';
import { vin } from '../helpers/vins.js';

const A = vin(1301);

describe('issue 11: MQTT over TLS on the embedded broker', () => {
  let dir: string;
  let cert: DevCertificate;
  let stack: TestStack;
  const cars: SimulatedCar[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'anshin-tls-test-'));
    cert = await devCertificate(join(dir, 'tls'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));
  afterEach(async () => {
    await Promise.all(cars.splice(0).map((c) => c.end().catch(() => {})));
    await stack?.close();
  });

  function car(url: string, opts: { password?: string; ca?: string } = {}): SimulatedCar {
    const c = new SimulatedCar({ vin: A, url, clock: new SystemClock(), connectTimeoutMs: 3_000, reconnectPeriodMs: 60_000, ...opts });
    cars.push(c);
    return c;
  }

  it('a car with the CA and its credentials connects over mqtts:// and its airbag event opens a case', async () => {
    const creds = new MemoryVehicleCredentials();
    const password = creds.issue(A);
    stack = await startTestStack({ vehicleCredentials: creds, config: { MQTT_TLS_PORT: 0, TLS_CERT: cert.certFile, TLS_KEY: cert.keyFile, MQTT_BROKER_THREAD: 'on' } });
    const tlsUrl = stack.broker!.tlsUrl!;
    expect(tlsUrl).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);
    const c = car(tlsUrl, { password, ca: cert.ca });
    await c.connect();
    const eventId = await c.airbag();
    await expect
      .poll(async () => ((await stack.http('GET', '/v1/cases?status=open')).body as Case[]).filter((k) => k.vin === A).map((k) => k.eventId), { timeout: 5_000 })
      .toEqual([eventId]);
  });

  it('TLS does not stand in for credentials: over mqtts:// without a password the car gets CONNACK 5', async () => {
    stack = await startTestStack({ vehicleCredentials: new MemoryVehicleCredentials(), config: { MQTT_TLS_PORT: 0, TLS_CERT: cert.certFile, TLS_KEY: cert.keyFile, MQTT_BROKER_THREAD: 'on' } });
    expect(await tryConnect(stack.broker!.tlsUrl!, { ca: cert.ca, clientId: `car-${A}` })).toEqual({ refused: 5 });
  });

  it('a client that does not trust the CA fails the handshake; plain MQTT keeps working beside TLS', async () => {
    stack = await startTestStack({ config: { MQTT_TLS_PORT: 0, TLS_CERT: cert.certFile, TLS_KEY: cert.keyFile, MQTT_BROKER_THREAD: 'on' } });
    await expect(car(stack.broker!.tlsUrl!).connect()).rejects.toThrow();
    const plain = car(stack.mqttUrl);
    await plain.connect();
    expect(plain.connected).toBe(true);
  });

  it('TLS_CERT without TLS_KEY, or an unreadable file, stops start-up naming the variable', async () => {
    await expect(startTestStack({ config: { MQTT_TLS_PORT: 0, TLS_CERT: cert.certFile } })).rejects.toThrow(/TLS_KEY/);
    await expect(startTestStack({ config: { MQTT_TLS_PORT: 0, TLS_CERT: join(dir, 'missing.pem'), TLS_KEY: cert.keyFile } })).rejects.toThrow(/TLS_CERT: cannot read/);
  });
});
