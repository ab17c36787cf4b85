import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseDuration, parseEventType, parseVin } from '../../cli/options.js';

describe('CLI option parsers', () => {
  it('durations: 10m, 30s, 1500ms, 1h, plain ms', () => {
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('1500ms')).toBe(1500);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('250')).toBe(250);
    expect(() => parseDuration('soon')).toThrow(InvalidArgumentError);
  });

  it('VINs and event types are checked against the contract', () => {
    expect(parseVin('JHMZE2H59ES000001')).toBe('JHMZE2H59ES000001');
    expect(() => parseVin('JHMZE2H59ES00000O')).toThrow(/ISO 3779/);
    expect(parseEventType('security-alarm')).toBe('security-alarm');
    expect(() => parseEventType('fire')).toThrow(/airbag, impact, sos, trouble, power, security-alarm/);
  });
});
