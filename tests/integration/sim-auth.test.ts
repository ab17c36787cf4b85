import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Case } from '../../protocol/index.js';
import { fleetVin } from '../../simulator/fleet/index.js';
import { runCli, type CliResult } from '../helpers/sim-cli.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';

/**
 * Issue 11, part 6: the simulator against a stack with AUTH=on, through the real CLI in a child process
 * (bin/anshin.js), a real aedes broker enforcing vehicle credentials and the real HTTP API: one car's
 * `--username/--password`, `--provision` with an admin token (PUT /v1/vehicles/{vin}/credentials for
 * every car), and what a newcomer sees when one is missing or wrong.
 */
const ADMIN_PASSWORD = 'admin-password-for-tests';
const TRACES = resolve(import.meta.dirname, '../fixtures/traces');
/** Nothing from the test runner's environment: the CLI gets exactly what each test passes. */
const CLEAN_ENV = { ANSHIN_TOKEN: '', API_TOKEN: '', ANSHIN_VEHICLE_PASSWORD: '', LOG_LEVEL: 'warn' };
const cli = (args: string[]) => runCli(args, CLEAN_ENV);

let stack: TestStack;
let adminToken: string;
let operatorToken: string;

async function login(username: string, password: string): Promise<string> {
  const res = await stack.http('POST', '/v1/auth/login', { username, password });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.token as string;
}

/** Open and closed cases of these cars, seen by the admin. */
async function casesOf(vins: Iterable<string>): Promise<Case[]> {
  const wanted = new Set(vins);
  const all: Case[] = [];
  for (const status of ['open', 'closed']) all.push(...((await stack.http('GET', `/v1/cases?status=${status}`, undefined, { authorization: `Bearer ${adminToken}`, 'x-operator-id': 'admin' })).body as Case[]));
  return all.filter((c) => wanted.has(c.vin));
}

/** One line on stderr, no stack trace: what a person reads. */
function oneLineError(r: CliResult): string {
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  return lines[0]!;
}

beforeAll(async () => {
  stack = await startTestStack({ config: { AUTH: 'on', ADMIN_PASSWORD, PASSWORD_SCRYPT_COST: 10 } });
  adminToken = await login('admin', ADMIN_PASSWORD);
  const made = await stack.http('POST', '/v1/operators', { username: 'sato', password: 'operator-password-1', role: 'operator' }, { authorization: `Bearer ${adminToken}`, 'x-operator-id': 'admin' });
  expect(made.status).toBe(201);
  operatorToken = await login('sato', 'operator-password-1');
});
afterAll(async () => {
  await stack?.close();
});

describe('anshin sim fire against AUTH=on', () => {
  const VIN = 'JT2AE92E3K0000101';

  it('with the car\'s --username/--password it connects, fires, and the case it opened is printed', async () => {
    const issued = await stack.http('PUT', `/v1/vehicles/${VIN}/credentials`, undefined, { authorization: `Bearer ${adminToken}`, 'x-operator-id': 'admin' });
    expect(issued.status).toBe(201);
    const r = await cli(['sim', 'fire', 'sos', '--vin', VIN, '--username', VIN, '--password', issued.body.password, '--url', stack.mqttUrl, '--http-url', stack.httpUrl, '--token', operatorToken, '--wait-ms', '300']);
    expect(r.code, r.stderr).toBe(0);
    const eventId = /^eventId (\S+)$/m.exec(r.stdout)?.[1];
    expect(r.stdout).toMatch(/^case \S+ opened: sos, priority 2$/m);
    expect((await casesOf([VIN])).map((c) => c.eventId)).toContain(eventId);
  });

  it('without credentials the broker refuses the car: exit 1 and one line saying what to pass', async () => {
    const r = await cli(['sim', 'fire', 'sos', '--vin', 'JT2AE92E3K0000102', '--url', stack.mqttUrl, '--http-url', stack.httpUrl, '--wait-ms', '0']);
    expect(r.code).toBe(1);
    expect(oneLineError(r)).toMatch(/refused car JT2AE92E3K0000102 \(CONNACK 5: not authorized\): it has AUTH on; pass --password .* or --provision/);
  });

  it('--provision issues the car its password with an admin token (ANSHIN_TOKEN) and fires', async () => {
    const vin = 'JT2AE92E3K0000103';
    const r = await runCli(['sim', 'fire', 'airbag', '--vin', vin, '--provision', '--url', stack.mqttUrl, '--http-url', stack.httpUrl, '--wait-ms', '300'], { ...CLEAN_ENV, ANSHIN_TOKEN: adminToken });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^provisioned 1 car credential\(s\) at /m);
    expect(r.stdout).toMatch(/^case \S+ opened: airbag, priority 1$/m);
  });
});

describe('anshin sim fleet --provision against AUTH=on', () => {
  it('provisions each of 20 cars, connects each with its own password, and every crash opens a case', async () => {
    const seed = 7311;
    const vins = Array.from({ length: 20 }, (_, i) => fleetVin(seed, i));
    // 6,000 crashes a minute: every one of the 20 cars crashes within the first second or so.
    const r = await cli(['sim', 'fleet', '--cars', '20', '--seed', String(seed), '--provision', '--token', adminToken, '--url', stack.mqttUrl, '--http-url', stack.httpUrl, '--telemetry-hz', '1', '--crash-rate', '6000', '--duration', '3s', '--ramp', '100', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^provisioned 20 car credential\(s\) at /m);
    const summary = JSON.parse(r.stdout) as { connected: number; connectFailures: number; eventsSent: number; eventsAcked: number };
    expect(summary).toMatchObject({ connected: 20, connectFailures: 0, eventsSent: 20, eventsAcked: 20 });
    await expect.poll(async () => new Set((await casesOf(vins)).map((c) => c.vin)).size, { timeout: 10_000 }).toBe(20);
    const audit = await stack.http('GET', '/v1/audit?actor=admin&limit=500', undefined, { authorization: `Bearer ${adminToken}`, 'x-operator-id': 'admin' });
    const issued = (audit.body.entries as { action: string; vin?: string }[]).filter((e) => e.action === 'vehicle.credentials' && vins.includes(e.vin ?? ''));
    expect(new Set(issued.map((e) => e.vin)).size).toBe(20);
  }, 60_000);

  it('a wrong token exits 1 with one line (401); an operator\'s token with one line (403); no car is run', async () => {
    const wrong = await cli(['sim', 'fleet', '--cars', '20', '--seed', '7312', '--provision', '--token', 'not-a-token', '--url', stack.mqttUrl, '--http-url', stack.httpUrl, '--duration', '1s']);
    expect(wrong.code).toBe(1);
    expect(oneLineError(wrong)).toMatch(/^error: cannot provision car credentials: .* refused the token \(401/);
    expect(wrong.stdout).toBe('');
    const operator = await cli(['sim', 'fleet', '--cars', '20', '--seed', '7312', '--provision', '--token', operatorToken, '--url', stack.mqttUrl, '--http-url', stack.httpUrl, '--duration', '1s']);
    expect(operator.code).toBe(1);
    expect(oneLineError(operator)).toMatch(/^error: cannot provision car credentials: the token is not an admin's \(403/);
    const none = await cli(['sim', 'fleet', '--cars', '3', '--seed', '7312', '--url', stack.mqttUrl, '--duration', '1s']);
    expect(none.code).toBe(1);
    expect(oneLineError(none)).toMatch(/no car could connect .* AUTH on; pass --password .* or --provision/);
  }, 60_000);
});

describe('anshin sim run --provision against AUTH=on', () => {
  it('provisions the scenario\'s fleet and its storm opens a case for every car', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anshin-sim-auth-'));
    const file = join(dir, 'small-storm.yaml');
    writeFileSync(
      file,
      [
        'name: small-storm',
        'description: twenty cars crash within one second, each with credentials of its own.',
        'fleet:',
        '  cars: 20',
        '  telemetryHz: 0',
        '  timeline:',
        '    - { at: 1s, storm: { crashes: 20, within: 1s } }',
        '    - { at: 2s, expect: { eventsAcked: 20, openCasesAtLeast: 20, within: 20s } }',
        '',
      ].join('\n'),
    );
    const r = await cli(['sim', 'run', file, '--provision', '--token', adminToken, '--url', stack.mqttUrl, '--http-url', stack.httpUrl, '--seed', '5']);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/^scenario small-storm \(seed 5\): PASSED/m);
  }, 60_000);

  it('a one-car scenario with that car\'s --username/--password; its operator steps go as the token\'s operator', async () => {
    const vin = 'JT2AE92E3K0000104';
    const issued = await stack.http('PUT', `/v1/vehicles/${vin}/credentials`, undefined, { authorization: `Bearer ${adminToken}`, 'x-operator-id': 'admin' });
    const r = await cli(['sim', 'run', 'accidental-sos', '--username', vin, '--password', issued.body.password, '--token', operatorToken, '--url', stack.mqttUrl, '--http-url', stack.httpUrl, '--seed', '6']);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/^scenario accidental-sos \(seed 6\): PASSED/m);
    const [kase] = await casesOf([vin]);
    expect(kase).toMatchObject({ status: 'closed', resolution: 'accidental', operatorId: 'sato' });
    // A scenario of more cars than one is refused up front: one line, exit 2.
    const many = await cli(['sim', 'run', 'earthquake-storm', '--username', vin, '--password', 'x', '--url', stack.mqttUrl, '--http-url', stack.httpUrl]);
    expect(many.code).toBe(2);
    expect(oneLineError(many)).toMatch(/one car's credentials, and earthquake-storm has 0 car\(s\) and a fleet of 1000: use --provision/);
  }, 60_000);
});

describe('anshin trace replay --url against AUTH=on', () => {
  const trace = join(TRACES, 'sos-illness.ndjson');

  it('--provision: the trace\'s car connects as itself and the operator actions run with the bearer token', async () => {
    const r = await cli(['trace', 'replay', trace, '--url', stack.mqttUrl, '--http-url', stack.httpUrl, '--provision', '--token', adminToken]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`1 loop(s): 24 messages published to ${stack.mqttUrl}; operator actions 5 ok, 0 failed\n`);
  }, 60_000);

  it('--username/--password for the trace\'s one car, an operator\'s login token for its actions', async () => {
    const vin = 'JANSHYPY300000000';
    const issued = await stack.http('PUT', `/v1/vehicles/${vin}/credentials`, undefined, { authorization: `Bearer ${adminToken}`, 'x-operator-id': 'admin' });
    const r = await cli(['trace', 'replay', trace, '--url', stack.mqttUrl, '--http-url', stack.httpUrl, '--username', vin, '--password', issued.body.password, '--token', operatorToken]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`1 loop(s): 24 messages published to ${stack.mqttUrl}; operator actions 5 ok, 0 failed\n`);
    // The operator the token is logged in as worked the cases, not the one the trace names.
    const audit = await stack.http('GET', '/v1/audit?actor=sato&limit=50', undefined, { authorization: `Bearer ${adminToken}`, 'x-operator-id': 'admin' });
    expect((audit.body.entries as { action: string }[]).filter((e) => e.action.startsWith('case.')).length).toBeGreaterThanOrEqual(5);
  }, 60_000);

  it('without credentials the broker refuses the replay: exit 1, one line', async () => {
    const r = await cli(['trace', 'replay', trace, '--url', stack.mqttUrl, '--http-url', stack.httpUrl, '--token', adminToken]);
    expect(r.code).toBe(1);
    expect(oneLineError(r)).toMatch(/refused an anonymous client \(CONNACK 5\): it has AUTH on; pass --username\/--password \(one car\) or --provision/);
  }, 60_000);
});
