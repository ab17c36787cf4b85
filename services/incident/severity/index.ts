import { readFileSync } from 'node:fs';
import { Value } from '@sinclair/typebox/value';
import { projectPath } from '../../../lib/paths.js';
import { SeverityModelSchema, type SeverityModel } from './model.js';

export { assessSeverity, bandOf, logit, moreSevere, seatProbability, sideFor, type CrashInputs, type Seat, type SeatInputs, type SeverityModel } from './model.js';

/** Reads and checks a model file; a bad file stops start-up with the path and the first problem. */
export function loadSeverityModel(path = projectPath('services', 'incident', 'severity', 'model.json')): SeverityModel {
  const json = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  const first = [...Value.Errors(SeverityModelSchema, json)][0];
  if (first) throw new Error(`severity model ${path}: ${first.path || '/'} ${first.message}`);
  return json as SeverityModel;
}

/** The model in use: `model.json` beside this file (D4.3; README.md in this folder). */
export const SEVERITY_MODEL: SeverityModel = loadSeverityModel();
