/**
 * Issue 13, part 3: `anshin coverage assess|programmes`, the real command in a child process (the
 * compiled dist/, built by the test set-up), reading the shipped programme files from the project.
 */
import { mkdir, mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jst, request } from '../helpers/coverage.js';
import { runCli } from '../helpers/sim-cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'anshin-coverage-cli-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('anshin coverage assess', () => {
  it('--file: the readable answer, yen as ¥1,800 and the time in Japan time', async () => {
    const file = join(dir, 'request.json');
    const req = request('jcb-car-rescue-365', { incident: { at: jst('2024-06-01 21:30'), work: ['tow', 'key_locked_in_trunk'], towKm: 12.3, drivable: false, distanceFromHomeKm: 120, afterFollow: 'lodging', place: 'expressway' } });
    await writeFile(file, JSON.stringify(req));
    const r = await runCli(['coverage', 'assess', '--file', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Incident 2024-06-01 21:30 JST: expressway, not drivable, 120 km from home');
    expect(r.stdout).toMatch(/^Eligible: yes$/m);
    expect(r.stdout).toMatch(/^ {2}key_locked_in_trunk {2}not covered/m);
    expect(r.stdout).toContain('3 km charged (rounded up) at ¥600/km (night, 20:00-08:00 JST), tax excluded: the member pays ¥1,800');
    expect(r.stdout).toMatch(/^After-follow \(lodging\): yes, up to ¥15,000;/m);
    expect(r.stdout).toContain('kilometre post');
    expect(r.stderr).toBe('');
  });

  it('flags only: JAF on 2024-03-31 and on 2024-04-01 (Japan dates), the defaults it assumed on stderr', async () => {
    const jaf = (at: string) => runCli(['coverage', 'assess', '--programme', 'jaf', '--at', at, '--work', 'tow', '--tow-km', '25', '--not-drivable']);
    const [before, after] = await Promise.all([jaf('2024-03-31T23:59+09:00'), jaf('2024-04-01T00:00+09:00')]);
    expect(before.code, before.stderr).toBe(0);
    expect(before.stdout).toContain('the member pays ¥7,300');
    expect(after.stdout).toContain('the member pays ¥4,150');
    expect(after.stdout).toContain('rules from 2024-04-01');
    expect(after.stderr).toMatch(/^assumed \(not given\): vehicle\.category=private, .*vehicle\.weightKg=1500/m);
  });

  it('--json prints the contract answer; --set gives any other field', async () => {
    const r = await runCli(['coverage', 'assess', '--programme', 'rakuten-drive-assist', '--at', '2024-06-01T12:00:00.000Z', '--cause', 'accident', '--not-drivable', '--set', 'incident.persons=2', '--set', 'member.policyStart=2020-01-01', '--set', 'member.channel=other', '--set', 'incident.pets=["cat"]', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ sceneRush: true, limits: { lodgingPerPersonYen: 20000, transportPerPersonYen: 40000, petHotelPerCaseYen: 20000 }, caseLimitsYen: { lodging: 40000 } });
  });

  it('usage errors exit 2: an unknown programme (with a guess), a field the programme needs, a time without its zone', async () => {
    const [unknown, needs, zone] = await Promise.all([
      runCli(['coverage', 'assess', '--programme', 'nissan']),
      runCli(['coverage', 'assess', '--programme', 'car-share', '--at', '2024-06-01T12:00Z']),
      runCli(['coverage', 'assess', '--programme', 'jaf', '--at', '2024-06-01T12:00']),
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown programme nissan; did you mean nissan-card-src24?');
    expect(needs.code).toBe(2);
    expect(needs.stderr).toContain('incident.reportedToPolice is needed');
    expect(zone.code).toBe(2);
    expect(zone.stderr).toContain('expected a time with its zone');
  });

  it('--programmes: a programme added as a file is assessed with no code change; a bad one names its line (exit 1)', async () => {
    const good = join(dir, 'good');
    const bad = join(dir, 'bad');
    const acme = 'id: acme-road\nname: Acme Road\nversions:\n  - effectiveFrom: "2020-01-01"\n    rules:\n      refusals: {}\n      work:\n        tow: { covered: true, reason: towing }\n      tow: { freeKm: 5, yenPerKm: { day: 1000, night: 1500 }, dayStarts: "08:00", nightStarts: "20:00", taxIncluded: true }\n';
    for (const [d, text] of [
      [good, acme],
      [bad, acme.replace('freeKm: 5', 'freeKm: five')],
    ] as const) {
      await mkdir(d, { recursive: true });
      await writeFile(join(d, 'acme-road.yaml'), text);
    }
    const ok = await runCli(['coverage', 'assess', '--programmes', good, '--programme', 'acme-road', '--at', '2024-06-01T12:00+09:00', '--work', 'tow', '--tow-km', '7.5', '--not-drivable']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('3 km charged (rounded up) at ¥1,000/km (day, 08:00-20:00 JST), tax included: the member pays ¥3,000');
    const broken = await runCli(['coverage', 'assess', '--programmes', bad, '--programme', 'acme-road', '--work', 'tow']);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/acme-road\.yaml:9:\d+: \/versions\/0\/rules\/tow\/freeKm: Expected number/);
  });
});

describe('anshin coverage programmes', () => {
  it('lists each programme with its versions and the one in force today', async () => {
    const r = await runCli(['coverage', 'programmes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^jaf {2}JAF road service \(members\)\n {2}from 2008-12-01: .*\n {2}from 2024-04-01 \(in force today\): /m);
    expect(r.stdout).toContain('rakuten-drive-assist');
  });
});
