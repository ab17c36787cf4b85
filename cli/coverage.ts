import type { Command } from 'commander';
import { defineWhenUsed } from './lazy.js';

/** `anshin coverage assess|programmes`: road-service coverage (contract "Coverage"), defined in coverage-commands.ts when `coverage` runs. */
export function registerCoverage(program: Command): void {
  defineWhenUsed(program.command('coverage').description('what a road-service programme covers for an incident and what the member pays (JCB, JAF, Rakuten, Nissan card, car-share)'), async () => (await import('./coverage-commands.js')).defineCoverage);
}
