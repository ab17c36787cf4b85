import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { locate } from '../../lib/yaml-locate.js';
import { STEP_ACTIONS, Scenario, validator, type ScenarioStep } from '../../protocol/index.js';
import { routeIds } from '../routes/index.js';
import { durationMs } from './duration.js';

/** A scenario that cannot be run, with the place in the file: `file:line:col: message`. */
export class ScenarioError extends Error {
  constructor(
    readonly file: string,
    readonly problems: { line: number; col: number; message: string }[],
  ) {
    super(problems.map((p) => `${file}:${p.line}:${p.col}: ${p.message}`).join('\n'));
    this.name = 'ScenarioError';
  }
}

const check = validator(Scenario);
export const BUILT_IN_DIR = path.resolve(import.meta.dirname, '../scenarios');

/** Parses and validates YAML text; every error names its line (yaml's LineCounter + node ranges). */
export function parseScenario(text: string, file = '<scenario>'): Scenario {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ScenarioError(file, doc.errors.map((e) => ({ line: e.linePos?.[0].line ?? 1, col: e.linePos?.[0].col ?? 1, message: e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '') })));
  }
  const at = (pointer: string) => {
    const { line, col } = locate(doc, lineCounter, pointer);
    return { line, col };
  };
  const value: unknown = doc.toJS();
  if (!check.check(value)) {
    throw new ScenarioError(file, check.issues(value, 5).map((i) => ({ ...at(i.path), message: `${i.path}: ${i.message}` })));
  }
  const problems = semanticProblems(value).map((p) => ({ ...at(p.path), message: `${p.path}: ${p.message}` }));
  if (problems.length > 0) throw new ScenarioError(file, problems);
  return value;
}

/** A built-in scenario name (simulator/scenarios/<name>.yaml) or a path to a file. */
export async function loadScenario(nameOrFile: string): Promise<{ scenario: Scenario; file: string }> {
  const looksLikePath = nameOrFile.includes('/') || nameOrFile.endsWith('.yaml') || nameOrFile.endsWith('.yml');
  const file = looksLikePath ? path.resolve(nameOrFile) : path.join(BUILT_IN_DIR, `${nameOrFile}.yaml`);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new ScenarioError(nameOrFile, [{ line: 0, col: 0, message: `no such scenario file (built-in scenarios are in ${BUILT_IN_DIR})` }]);
  }
  return { scenario: parseScenario(text, path.relative(process.cwd(), file) || file), file };
}

/** Rules the schema cannot say: one action per step, times in order, known routes, unique car ids. */
function semanticProblems(s: Scenario): { path: string; message: string }[] {
  const out: { path: string; message: string }[] = [];
  if (!s.cars?.length && !s.fleet) out.push({ path: '', message: 'a scenario needs `cars` or `fleet`' });
  const ids = new Set<string>();
  s.cars?.forEach((car, c) => {
    if (ids.has(car.id)) out.push({ path: `/cars/${c}/id`, message: `duplicate car id ${car.id}` });
    ids.add(car.id);
    let prev = 0;
    car.timeline.forEach((step, i) => {
      const p = `/cars/${c}/timeline/${i}`;
      const actions = STEP_ACTIONS.filter((a) => step[a as keyof ScenarioStep] !== undefined);
      if (actions.length !== 1) out.push({ path: p, message: `a step needs exactly one action (${STEP_ACTIONS.join(', ')}); found ${actions.length ? actions.join(', ') : 'none'}` });
      if (step.resolution !== undefined && step.operator !== 'close') out.push({ path: `${p}/resolution`, message: 'resolution goes with operator: close' });
      if (step.drive && !routeIds().includes(step.drive.route)) out.push({ path: `${p}/drive/route`, message: `unknown route; known: ${routeIds().join(', ')}` });
      const t = durationMs(step.at);
      if (t < prev) out.push({ path: `${p}/at`, message: 'steps of a car must be in time order' });
      prev = t;
    });
  });
  s.fleet?.timeline.forEach((step, i) => {
    if ((step.storm ? 1 : 0) + (step.expect ? 1 : 0) !== 1) out.push({ path: `/fleet/timeline/${i}`, message: 'a fleet step needs exactly one of storm, expect' });
  });
  return out;
}
