import type { Command, ScenarioConfig } from '../../protocol/index.js';

/**
 * Looks for signs that a live backend runs with another configuration than the scenario's `config`
 * (protocol/scenario.ts). The HTTP API does not expose the backend's configuration, but the lockout
 * shows it: the `lockout` command that follows a `call.state cleared` carries `until` = clear-down +
 * LOCKOUT_MINUTES (D3.5), so `until` minus the time the car got it is the lockout's length, less a few
 * ms of transit. IMPACT_DELTA_V_KMH has no such sign; a scenario that depends on it can only name it.
 */
export class ConfigCheck {
  private readonly lastCmd = new Map<string, Command>();
  private warned = false;

  constructor(
    private readonly config: ScenarioConfig | undefined,
    private readonly warn: (message: string) => void,
  ) {}

  /** Every command a scenario car receives, in order, with the time it arrived. */
  onCommand(carId: string, c: Command, atMs: number): void {
    const before = this.lastCmd.get(carId);
    this.lastCmd.set(carId, c);
    const minutes = this.config?.LOCKOUT_MINUTES;
    if (minutes === undefined || this.warned || c.cmd !== 'lockout' || !c.until) return;
    if (before?.cmd !== 'call.state' || before.state !== 'cleared') return;
    const seen = Date.parse(c.until) - atMs;
    const want = minutes * 60_000;
    if (Math.abs(seen - want) <= Math.max(2_000, want * 0.05)) return;
    this.warned = true;
    this.warn(
      `the backend's lockout runs ${(seen / 60_000).toFixed(seen < 60_000 ? 2 : 0)} min after a clear-down, but this scenario is written for LOCKOUT_MINUTES=${minutes} (its config): run the backend with that, or steps timed on the lockout will fail`,
    );
  }
}

/** `LOCKOUT_MINUTES=0.1 IMPACT_DELTA_V_KMH=8`, or '' when the scenario sets nothing. */
export function describeConfig(config: ScenarioConfig | undefined): string {
  return Object.entries(config ?? {})
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
}
