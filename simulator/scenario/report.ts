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
}

export function formatReport(r: ScenarioReport): string {
  const lines = [`scenario ${r.name} (seed ${r.seed}): ${r.passed ? 'PASSED' : 'FAILED'} in ${(r.durationMs / 1000).toFixed(1)} s`];
  for (const s of r.steps) {
    lines.push(`  ${(s.ranMs / 1000).toFixed(1).padStart(6)}s  ${s.ok ? 'ok  ' : 'FAIL'}  ${s.who.padEnd(8)} ${s.action.padEnd(44)} -> ${s.detail}`);
  }
  return lines.join('\n');
}
