import type { DeliveryCounts, LostEvent } from '../count.js';
import type { FaultReport } from '../faults.js';
import type { ModeSpec } from '../modes.js';

/** The knobs every run gets (the CLI's options after --quick and defaults are applied). */
export interface SuiteParams {
  cars: number;
  events: number;
  burst: boolean;
  /** Paced load: the events are spread evenly over this many ms. */
  paceMs: number;
  /** Cars subscribe to their commands (QoS 1), as real TCUs do. */
  subscribeCommands: boolean;
  /** The fault starts when this share of the events is acknowledged. */
  faultAt: number;
  /** After the load and the fault: how long cars may take to get every outstanding PUBACK. */
  ackDeadlineMs: number;
  /** After that: how long an acknowledged event may take to show up as a case. */
  settleMs: number;
  /** Hard limit for one run, deployment start and teardown included. */
  runTimeoutMs: number;
}

/** One named measurement with its verdict, for checks that are not delivery counts (poison, limits). */
export interface Check {
  name: string;
  ok: boolean;
  measured: string;
  expected: string;
}

export interface RunResult {
  /** `<mode> × <variant>`, the row of the final table. */
  scenario: string;
  kind: string;
  mode: string;
  variant: string;
  run: number;
  ok: boolean;
  /** Why it is not ok, one line each. */
  failures: string[];
  error?: string;
  startedAt: string;
  wallMs: number;
  loadAverage: number[];
  deployment: Array<{ name: string; role: string; pid: number | undefined; http?: string; mqtt?: string }>;
  delivery?: DeliveryCounts;
  fault?: FaultReport;
  timings: Record<string, number | null>;
  checks: Check[];
  lostEvents: LostEvent[];
  duplicatedEvents: Array<{ eventId: string; caseIds: string[] }>;
  notes: string[];
  /** Service log tails, kept when the run is not ok. */
  logTails?: Record<string, string>;
}

export interface RunContext {
  params: SuiteParams;
  run: number;
  /** Aborted when the run passes `runTimeoutMs` or the user presses Ctrl-C. */
  signal: AbortSignal;
  /** Registers a teardown step; the suite runs any still registered if the run is aborted. */
  onCleanup(fn: () => Promise<void>): () => void;
}

/**
 * A kind of scenario. The suite crosses modes with variants (`--modes`, `--faults`): each variant name
 * belongs to exactly one kind (fault kinds: `restart`, `kill`…; later `poison`, `limits`…). Adding a
 * kind is one file exporting this and one line in scenarios/index.ts.
 */
export interface ScenarioKind {
  kind: string;
  variants: readonly string[];
  describe(variant: string): string;
  /** Why `variant` means nothing on `mode` (skipped), or null. */
  notApplicable(mode: ModeSpec, variant: string): string | null;
  run(mode: ModeSpec, variant: string, ctx: RunContext): Promise<RunResult>;
}

/** A fresh result for a run, filled in by the kind. */
export function newResult(kind: string, mode: ModeSpec, variant: string, run: number): RunResult {
  return {
    scenario: `${mode.id} × ${variant}`,
    kind,
    mode: mode.id,
    variant,
    run,
    ok: false,
    failures: [],
    startedAt: new Date().toISOString(),
    wallMs: 0,
    loadAverage: [],
    deployment: [],
    timings: {},
    checks: [],
    lostEvents: [],
    duplicatedEvents: [],
    notes: [],
  };
}
