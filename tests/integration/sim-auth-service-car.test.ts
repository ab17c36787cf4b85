import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../helpers/sim-cli.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';

/**
 * Issue 12 part 6 (D4.6) with issue 11: simulated service cars against a stack with AUTH=on, through the
 * real CLI in a child process (bin/anshin.js, built in dist/): `sim run --provision` issues the
 * scenario's service car its credentials (PUT /v1/service-cars/{id}/credentials) and connects it as
 * `svc-<id>`; `sim service-car` takes `--username/--password` or `--provision`, and a refusal is one line.
 */
const ADMIN_PASSWORD = 'admin-password-for-tests';
/** Nothing from the test runner's environment: the CLI gets exactly what each test passes. */
const CLEAN_ENV = { ANSHIN_TOKEN: '', API_TOKEN: '', ANSHIN_VEHICLE_PASSWORD: '', LOG_LEVEL: 'warn' };
const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { ...CLEAN_ENV, ...env });

let stack: TestStack;
let adminToken: string;

const admin = () => ({ authorization: `Bearer ${adminToken}`, 'x-operator-id': 'admin' });

/** One line on stderr, no stack trace: what a person reads. */
function oneLineError(r: CliResult): string {
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  return lines[0]!;
}

/** The service cars whose credentials the admin issued, from the audit. */
async function issuedServiceCars(): Promise<string[]> {
  const audit = await stack.http('GET', '/v1/audit?actor=admin&limit=500', undefined, admin());
  return (audit.body.entries as { action: string; details?: { serviceCarId?: string } }[]).filter((e) => e.action === 'service_car.credentials').map((e) => e.details?.serviceCarId ?? '');
}

beforeAll(async () => {
  stack = await startTestStack({ config: { AUTH: 'on', ADMIN_PASSWORD, PASSWORD_SCRYPT_COST: 10 } });
  const res = await stack.http('POST', '/v1/auth/login', { username: 'admin', password: ADMIN_PASSWORD });
  expect(res.status).toBe(200);
  adminToken = res.body.token as string;
});
afterAll(async () => {
  await stack?.close();
});

/**
 * simulator/scenarios/breakdown-service-car.yaml with its clock squeezed from 54 s to 16 s (the service
 * car from a depot about 1 km away at 300 km/h, reporting every second), the same steps and expectations. The built-in file itself
 * passes the same way (`anshin sim run breakdown-service-car --provision`), in about a minute.
 */
const SHORT_BREAKDOWN = `name: breakdown-service-car-short
description: breakdown-service-car, shortened for a test.
rules: [D1.4, D4.4, D4.6]
cars:
  - id: tokyo
    timeline:
      - { at: 1s, trouble: { warningLamps: [battery] } }
      - { at: 1s, expect: { case: { trigger: trouble, priority: 3, status: open } } }
      - { at: 2s, operator: answer }
      - { at: 3s, dispatch: { agency: road_service, serviceCar: { id: jaf-tokyo-7, reportsPosition: true } } }
      - { at: 3s, expect: { appMessages: 1, dispatches: [road_service] } }
      - { at: 4s, serviceCar: { id: jaf-tokyo-7, from: { lat: 35.6880, lon: 139.7740 }, speedKmh: 300, everyS: 1 } }
      - { at: 5s, expect: { track: { serviceCar: true, etaMinutesAtMost: 8 } } }
      - { at: 6s, expect: { track: { serviceCar: true, etaMinutesAtMost: 1 }, within: 15s } }
      - { at: 14s, dispatchUpdate: { dispatch: 0, status: completed } }
      - { at: 14s, expect: { track: { ended: true } } }
      - { at: 15s, operator: hangup }
      - { at: 16s, operator: close, resolution: road_service_arranged }
      - { at: 16s, expect: { case: { status: closed }, appMessages: 1 } }
`;

describe('anshin sim run --provision with a serviceCar step, AUTH=on', () => {
  it('breakdown-service-car: the car and the service car are issued their credentials, the service car reports as svc-<id>, and the scenario passes', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'anshin-sim-auth-svc-')), 'breakdown-service-car-short.yaml');
    writeFileSync(file, SHORT_BREAKDOWN);
    const r = await cli(['sim', 'run', file, '--provision', '--token', adminToken, '--url', stack.mqttUrl, '--http-url', stack.httpUrl, '--seed', '11']);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/^scenario breakdown-service-car-short \(seed 11\): PASSED/m);
    expect(r.stdout).toMatch(/serviceCar jaf-tokyo-7 .*service car jaf-tokyo-7: /);
    expect(r.stderr).toMatch(/^provisioned 1 car credential\(s\) at /m);
    expect(r.stderr).toMatch(/^provisioned 1 service-car credential\(s\) at /m);
    expect(await issuedServiceCars()).toContain('jaf-tokyo-7');
    // Its positions went through the broker with AUTH on and were kept.
    expect(await stack.service.serviceCars.fix('jaf-tokyo-7')).not.toBeNull();
  }, 90_000);
});

describe('anshin sim service-car against AUTH=on', () => {
  // About 90 m at 300 km/h, a report every 200 ms: it arrives in about a second.
  const drive = (id: string) => ['sim', 'service-car', '--id', id, '--from', '35.6812,139.7671', '--to', '35.6820,139.7671', '--speed-kmh', '300', '--every', '200ms', '--url', stack.mqttUrl, '--http-url', stack.httpUrl];

  it('with --username svc-<id> --password from PUT /v1/service-cars/{id}/credentials it drives and arrives', async () => {
    const issued = await stack.http('PUT', '/v1/service-cars/jaf-cli-1/credentials', undefined, admin());
    expect(issued.status).toBe(201);
    const r = await cli([...drive('jaf-cli-1'), '--username', 'svc-jaf-cli-1', '--password', issued.body.password as string]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^jaf-cli-1 arrived at 35\.68200,139\.76710: /m);
    await expect.poll(async () => (await stack.service.serviceCars.fix('jaf-cli-1'))?.position.lat).toBeCloseTo(35.682, 4);
  }, 60_000);

  it('--provision with an admin token (ANSHIN_TOKEN) issues its password and drives', async () => {
    const r = await cli([...drive('jaf-cli-2'), '--provision'], { ANSHIN_TOKEN: adminToken });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^provisioned 1 service-car credential\(s\) at /m);
    expect(r.stdout).toMatch(/^jaf-cli-2 arrived at /m);
    expect(await issuedServiceCars()).toContain('jaf-cli-2');
  }, 60_000);

  it('a wrong password, or none, exits 1 with one line saying what to pass', async () => {
    await stack.http('PUT', '/v1/service-cars/jaf-cli-3/credentials', undefined, admin());
    const wrong = await cli([...drive('jaf-cli-3'), '--password', 'not-the-password']);
    expect(wrong.code).toBe(1);
    expect(oneLineError(wrong)).toMatch(/^error: the broker at mqtt:\/\/\S+ refused service car jaf-cli-3 as svc-jaf-cli-3 \(CONNACK 5\): wrong password; issue it again with --provision/);
    expect(wrong.stdout).toBe('');
    const none = await cli(drive('jaf-cli-3'));
    expect(none.code).toBe(1);
    expect(oneLineError(none)).toMatch(/refused service car jaf-cli-3 \(CONNACK 5: not authorized\): it has AUTH on; pass --password .* or --provision/);
    // A token that is not an admin's: one line too, nothing driven.
    const badToken = await cli([...drive('jaf-cli-3'), '--provision', '--token', 'not-a-token']);
    expect(badToken.code).toBe(1);
    expect(oneLineError(badToken)).toMatch(/^error: cannot provision service-car credentials: .* refused the token \(401/);
  }, 60_000);
});
