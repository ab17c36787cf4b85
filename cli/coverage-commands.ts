import { InvalidArgumentError, Option, type Command } from 'commander';
import { AFTER_FOLLOW_KINDS, COVERAGE_PLACES, COVERAGE_WORK, INCIDENT_CAUSES } from '../protocol/coverage.js';
import type { AssessCliOptions } from './actions/coverage.js';
import { parseInteger, parseNonNegative } from './options.js';

/** `--at 2024-06-01T21:30+09:00`: an instant with its zone (a time without one is ambiguous), as the contract's UTC ISO. */
export function parseInstant(value: string): string {
  const ms = Date.parse(value);
  if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(value.trim()) || Number.isNaN(ms)) throw new InvalidArgumentError('expected a time with its zone, e.g. 2024-06-01T21:30+09:00 (Japan) or 2024-06-01T12:30:00.000Z.');
  return new Date(ms).toISOString();
}

function parseWork(value: string): string[] {
  const kinds = value.split(',').map((k) => k.trim()).filter(Boolean);
  const unknown = kinds.filter((k) => !(COVERAGE_WORK as readonly string[]).includes(k));
  if (unknown.length > 0) throw new InvalidArgumentError(`unknown work ${unknown.join(', ')}; expected a comma-separated list of ${COVERAGE_WORK.join(', ')}.`);
  return kinds;
}

function collect(value: string, previous: string[] = []): string[] {
  if (!/^[A-Za-z.]+=/.test(value)) throw new InvalidArgumentError('expected path=value, e.g. member.calledAt=2024-06-01T10:00:00.000Z or incident.persons=2.');
  return [...previous, value];
}

/** The `coverage` subcommands; each action loads the engine and the programme files when it runs. */
export function defineCoverage(coverage: Command): void {
  coverage
    .command('assess')
    .description('assess one incident against a programme (the engine of POST /v1/coverage/assess, run here on the programme files)')
    .option('--programme <id>', 'programme id (see `anshin coverage programmes`); or `programme` in the file')
    .option('--file <request>', 'a request (JSON or YAML, contract "Coverage"); the flags below override its fields')
    .option('--at <time>', 'incident time with its zone, e.g. 2024-06-01T21:30+09:00 (default: now)', parseInstant)
    .option('--work <kinds>', `work asked for, comma-separated: ${COVERAGE_WORK.join(', ')}`, parseWork)
    .option('--tow-km <km>', 'distance towed (expressway included)', parseNonNegative)
    .option('--distance-from-home <km>', 'straight-line distance from home', parseNonNegative)
    .option('--drivable', 'the car can be driven')
    .option('--not-drivable', 'the car cannot be driven')
    .addOption(new Option('--place <place>', 'where the car is').choices(COVERAGE_PLACES))
    .option('--island <name>', 'the island (romanised, e.g. Sado), with --place island')
    .addOption(new Option('--conditions <conditions>', 'weather and disasters').choices(['normal', 'abnormal_weather', 'natural_disaster']))
    .addOption(new Option('--driver <condition>', "the driver's condition").choices(['normal', 'drunk', 'unlicensed', 'drugs']))
    .option('--intentional', 'caused on purpose')
    .option('--similar-requests <n>', 'earlier requests for similar trouble in the last 30 days', parseInteger)
    .addOption(new Option('--after-follow <kind>', 'the one after-follow option asked for').choices(AFTER_FOLLOW_KINDS))
    .addOption(new Option('--cause <cause>', 'what happened').choices(INCIDENT_CAUSES))
    .option('--wheels-dropped <n>', 'wheels dropped off the road', parseInteger)
    .option('--drop-metres <m>', 'height of the drop', parseNonNegative)
    .addOption(new Option('--plate <colour>', 'number-plate colour').choices(['white', 'yellow', 'green', 'black']))
    .addOption(new Option('--category <category>', 'vehicle use').choices(['private', 'commercial']))
    .addOption(new Option('--wheels <n>', 'wheels of the vehicle').choices(['2', '4']))
    .option('--weight-kg <kg>', 'vehicle weight from the inspection certificate', parseNonNegative)
    .option('--inspection-expired', 'the vehicle has no valid inspection (車検切れ)')
    .option('--illegally-modified', 'the vehicle is illegally modified')
    .option('--set <path=value>', 'any other field, repeatable: member.calledAt=2024-06-01T10:00:00.000Z, incident.persons=2 (values read as JSON when they parse)', collect)
    .option('--now <time>', 'the time of the assessment, for deadlines (default: now)', parseInstant)
    .option('--programmes <dir>', 'programme files to use instead of the shipped ones')
    .option('--json', 'print the answer as JSON')
    .action(async (o: AssessCliOptions) => (await import('./actions/coverage.js')).coverageAssess(o));

  coverage
    .command('programmes')
    .description('list the programmes, their versions and the one in force today')
    .option('--programmes <dir>', 'programme files to use instead of the shipped ones')
    .option('--json', 'print the list as JSON')
    .action(async (o: { programmes?: string; json?: boolean }) => (await import('./actions/coverage.js')).coverageProgrammes(o));
}
