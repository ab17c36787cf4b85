import { describe, expect, it } from 'vitest';
import { nearest } from '../../cli/suggest.js';

const SCENARIOS = ['accidental-sos', 'earthquake-storm', 'highway-airbag-no-response', 'impact-below-threshold', 'lockout-expiry', 'power-off-during-call', 'sos-illness', 'trouble-battery-tow', 'trouble-during-lockout'];

describe('did you mean …? (anshin sim run <unknown>)', () => {
  it('a name that contains what was typed', () => {
    expect(nearest('highway-airbag', SCENARIOS)).toBe('highway-airbag-no-response');
    expect(nearest('earthquake', SCENARIOS)).toBe('earthquake-storm');
  });

  it('a typo', () => {
    expect(nearest('sos-ilness', SCENARIOS)).toBe('sos-illness');
    expect(nearest('lockout-expirey', SCENARIOS)).toBe('lockout-expiry');
  });

  it('nothing when nothing is close', () => {
    expect(nearest('tokyo-flood', SCENARIOS)).toBeUndefined();
  });
});
