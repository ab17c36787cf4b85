/**
 * Issue 13, part 1: programmes are data. One file per programme, checked at load with `file:line:col`
 * errors; a new programme or a fee change is a file change and no code change.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { assess } from '../../services/road-coverage/engine.js';
import { loadProgrammes, parseProgramme, ProgrammeError } from '../../services/road-coverage/load.js';
import { projectPath } from '../../lib/paths.js';
import { assessWith, jst, request } from '../helpers/coverage.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});
async function programmeDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'anshin-programmes-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

/** A small programme: 5 km free at 400 / 450 yen, and a fee change from 2025-04-01 written as a change. */
const ACME = `id: acme-road
name: Acme Road Assist
versions:
  - effectiveFrom: "2020-01-01"
    rules:
      refusals:
        vehicle_two_wheeler:
          reason: four wheels only
          when:
            - { vehicle.wheels: 2 }
      work:
        tow:
          covered: true
          reason: towing, 5 km free
      tow:
        freeKm: 5
        yenPerKm: { day: 400, night: 450 }
        dayStarts: "07:00"
        nightStarts: "19:00"
        taxIncluded: true
  - effectiveFrom: "2025-04-01"
    note: fee change
    rules:
      tow:
        yenPerKm: { day: 550 }
      refusals:
        vehicle_two_wheeler: null
`;

function problemsOf(text: string): string[] {
  try {
    parseProgramme(text, 'p.yaml');
  } catch (err) {
    if (err instanceof ProgrammeError) return err.message.split('\n');
    throw err;
  }
  return [];
}

describe('the shipped programmes', () => {
  it('load, one per file, each with its versions oldest first', async () => {
    const catalogue = await loadProgrammes();
    expect(catalogue.ids().sort()).toEqual(['car-share', 'jaf', 'jcb-car-rescue-365', 'nissan-card-src24', 'rakuten-drive-assist']);
    expect(catalogue.list(Date.parse('2024-03-31T14:59:59.999Z')).programmes.find((p) => p.id === 'jaf')?.inForce).toBe('2008-12-01');
    expect(catalogue.list(Date.parse('2024-03-31T15:00:00.000Z')).programmes.find((p) => p.id === 'jaf')?.inForce).toBe('2024-04-01');
  });
});

describe('the example requests (services/road-coverage/examples/, the README\'s worked examples)', () => {
  it('one per shipped programme, each a contract request with an answer', async () => {
    const dir = projectPath('services', 'road-coverage', 'examples');
    const files = (await readdir(dir)).sort();
    expect(files).toEqual(['car-share.json', 'jaf.json', 'jcb-car-rescue-365.json', 'nissan-card-src24.json', 'rakuten-drive-assist.json']);
    for (const file of files) {
      const req = JSON.parse(await readFile(join(dir, file), 'utf8'));
      expect(req.programme).toBe(file.replace('.json', ''));
      expect((await assessWith(req, Date.parse('2024-06-01T00:00:00.000Z'))).eligible).toBe(true);
    }
  });
});

describe('a new programme or a fee change is data, no code', () => {
  it('a temp directory with a new programme whose fee changes from 2025-04-01 (Japan date): the engine picks the version in force', async () => {
    const catalogue = await loadProgrammes(await programmeDir({ 'acme-road.yaml': ACME }));
    const acme = catalogue.get('acme-road')!;
    const tow = (at: string) => assess(acme, request('acme-road', { incident: { at, work: ['tow'], towKm: 7, drivable: false } }), { now: Date.parse(at) });
    expect(tow(jst('2025-03-31 12:00')).tow).toMatchObject({ band: 'day', chargedKm: 2, yenPerKm: 400, memberPaysYen: 800, taxIncluded: true });
    expect(tow(jst('2025-04-01 12:00')).tow).toMatchObject({ band: 'day', yenPerKm: 550, memberPaysYen: 1100 });
    // The change keeps what it does not name (the night rate, the band hours) and removes what it sets to null.
    expect(tow(jst('2025-04-01 19:00')).tow).toMatchObject({ band: 'night', yenPerKm: 450 });
    expect(acme.versions[1]!.rules.refusals).toEqual({});
    expect(tow(jst('2025-04-01 12:00')).version).toEqual({ effectiveFrom: '2025-04-01', note: 'fee change' });
  });

  it('JSON files are read too', async () => {
    const json = JSON.stringify({ id: 'json-road', name: 'JSON Road', versions: [{ effectiveFrom: '2020-01-01', rules: { refusals: {}, work: {} } }] }, null, 2);
    expect((await loadProgrammes(await programmeDir({ 'json-road.json': json }))).ids()).toEqual(['json-road']);
  });
});

describe('a bad programme file names file:line:col', () => {
  it.each([
    ['a misspelt key', ACME.replace('freeKm: 5', 'freeKms: 5'), 'p.yaml:16:9: /versions/0/rules/tow/freeKms: Unexpected property'],
    ['a missing key: the line of the map that lacks it', ACME.replace('        freeKm: 5\n', ''), 'p.yaml:15:7: /versions/0/rules/tow/freeKm: Expected required property'],
    ['a wrong type in a later version: the line of the change', ACME.replace('yenPerKm: { day: 550 }', 'yenPerKm: { day: "550" }'), 'p.yaml:25:21: /versions/1/rules/tow/yenPerKm/day: Expected integer'],
    ['a later version removing what is required', ACME.replace('vehicle_two_wheeler: null', 'vehicle_two_wheeler: null\n      work: null'), 'p.yaml:28:7: /versions/1/rules/work: Expected required property'],
    ['a condition on a field no request has', ACME.replace('{ vehicle.wheels: 2 }', '{ vehicle.wheel: 2 }'), 'p.yaml:10:17: /versions/0/rules/refusals/vehicle_two_wheeler/when/0/vehicle.wheel: Unexpected property'],
    ['versions out of order', ACME.replace('effectiveFrom: "2025-04-01"', 'effectiveFrom: "2019-04-01"'), 'p.yaml:21:5: /versions/1/effectiveFrom: must come after 2020-01-01 (versions oldest first)'],
    ['a date that is not one', ACME.replace('effectiveFrom: "2025-04-01"', 'effectiveFrom: "2025-02-30"'), 'p.yaml:21:5: /versions/1/effectiveFrom: not a real date'],
    ['a duplicate key', ACME.replace('    note: fee change', '    note: fee change\n    note: twice'), 'p.yaml:23:5: Map keys must be unique'],
    ['day after night', ACME.replace('dayStarts: "07:00"', 'dayStarts: "20:00"'), 'p.yaml:5:5: /versions/0/rules: tow.dayStarts (20:00) must come before tow.nightStarts (19:00)'],
  ])('%s', (_name, text, expected) => {
    expect(problemsOf(text)).toContain(expected);
  });

  it('YAML that does not parse names its line', () => {
    expect(problemsOf(ACME.replace('name: Acme Road Assist', 'name: [Acme'))[0]).toMatch(/^p\.yaml:\d+:\d+: \S/);
  });

  it('the file name must be the id; every bad file is named, and nothing loads', async () => {
    const dir = await programmeDir({ 'acme.yaml': ACME, 'broken.yaml': 'id: broken\n' });
    const err = await loadProgrammes(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProgrammeError);
    const lines = (err as ProgrammeError).message.split('\n');
    expect(lines[0]).toMatch(/acme\.yaml:1:1: id acme-road differs from the file name \(acme\)/);
    expect(lines.slice(1).every((l) => /broken\.yaml:\d+:\d+: /.test(l))).toBe(true);
  });
});
