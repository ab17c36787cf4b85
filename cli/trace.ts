import type { Command } from 'commander';
import { defineWhenUsed } from './lazy.js';

/** `anshin trace record|replay|generate|fixtures`: QA traces (simulator/README.md "Traces"), defined in trace-commands.ts when `trace` runs. */
export function registerTrace(program: Command): void {
  defineWhenUsed(program.command('trace').description('record MQTT traffic and operator actions as NDJSON traces; replay them deterministically and diff the outcome'), async () => (await import('./trace-commands.js')).defineTrace);
}
