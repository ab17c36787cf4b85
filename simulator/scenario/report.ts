import type { ScenarioConfig } from '../../protocol/index.js';
import { describeConfig } from './config-check.js';

/** One executed step: what ran, when (ms after the start), and whether it did what it should. */
export interface StepResult {
  who: string;
  plannedMs: number;
  ranMs: number;
  action: string;
  ok: boolean;
  detail: string;
}

export interface ScenarioReport {
  name: string;
  seed: number;
  passed: boolean;
  steps: StepResult[];
  durationMs: number;
  /** The backend configuration the scenario is written for (its `config`). */
  config?: ScenarioConfig;
  /** Signs that the backend runs with another configuration (config-check.ts). */
  warnings: string[];
}

export function formatReport(r: ScenarioReport): string {
  const lines = [`scenario ${r.name} (seed ${r.seed}): ${r.passed ? 'PASSED' : 'FAILED'} in ${(r.durationMs / 1000).toFixed(1)} s`];
  if (r.config) lines.push(`  written for a backend with ${describeConfig(r.config)}`);
  for (const w of r.warnings) lines.push(`  warning: ${w}`);
  for (const s of r.steps) {
    lines.push(`  ${(s.ranMs / 1000).toFixed(1).padStart(6)}s  ${s.ok ? 'ok  ' : 'FAIL'}  ${s.who.padEnd(8)} ${s.action.padEnd(44)} -> ${s.detail}`);
  }
  return lines.join('\n');
}
