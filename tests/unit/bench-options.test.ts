import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addBenchOptions } from '../../bench/options.js';
import { MODES } from '../../bench/modes.js';

/** Parses `anshin bench` arguments the way the CLI does, with commander's exit turned into a throw. */
function parse(args: string[]): Record<string, unknown> {
  const cmd = addBenchOptions(new Command('bench')).exitOverride().configureOutput({ writeErr: () => {} });
  cmd.parse(args, { from: 'user' });
  return cmd.opts();
}

describe('anshin bench --modes', () => {
  it('takes a subset of the full run, and issue 15\'s extra mode (the broker in a process of its own) only when named', () => {
    expect(parse(['--modes', 'embedded,mosquitto-1x-memory']).modes).toEqual(['embedded', 'mosquitto-1x-memory']);
    expect(parse([]).modes).toBeUndefined(); // the full run: every mode of MODES
    expect(MODES).not.toContain('mosquitto-1x-memory');
  });

  it('refuses an unknown mode, naming the ones there are', () => {
    expect(() => parse(['--modes', 'embedded,emqx'])).toThrow(/unknown mode emqx; one of embedded, .*mosquitto-1x-memory/);
  });
});
