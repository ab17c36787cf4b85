import { describe, expect, it } from 'vitest';
import { answerTimer, formatDuration, lockoutCountdown } from '../../services/console/web/lib/time.js';

const opened = '2026-11-21T10:00:00.000Z';
const t = (s: number) => Date.parse(opened) + s * 1000;

describe('console time formatting', () => {
  it('formats durations as m:ss or h:mm:ss', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(7_900)).toBe('0:07');
    expect(formatDuration(-3_000)).toBe('0:03');
    expect(formatDuration(12 * 60_000 + 30_000)).toBe('12:30');
    expect(formatDuration(3_723_000)).toBe('1:02:03');
  });

  it('counts down to the 10 s answer target (NFPA 1225), warns in the last 30%, then shows overdue', () => {
    expect(answerTimer(opened, t(0), 10)).toEqual({ state: 'waiting', label: '0:10 left', leftMs: 10_000 });
    expect(answerTimer(opened, t(2.5), 10).label).toBe('0:08 left');
    expect(answerTimer(opened, t(7), 10).state).toBe('warning');
    expect(answerTimer(opened, t(13), 10)).toMatchObject({ state: 'overdue', label: '+0:03 over' });
    expect(answerTimer(opened, t(13), 20).state).toBe('waiting');
  });

  it('stops at the answer', () => {
    expect(answerTimer(opened, t(60), 10, '2026-11-21T10:00:04.200Z')).toEqual({
      state: 'answered',
      label: 'answered in 0:04',
      leftMs: null,
    });
  });

  it('D3.5: a lockout without end time is held by the call; with one it counts down', () => {
    expect(lockoutCountdown(true, null, t(0))).toBe('held until 60 min after clear-down');
    expect(lockoutCountdown(true, '2026-11-21T11:00:00.000Z', t(0))).toBe('1:00:00 left');
    expect(lockoutCountdown(true, '2026-11-21T10:00:00.000Z', t(1))).toBe('ending');
    expect(lockoutCountdown(false, null, t(0))).toBe('not locked');
  });
});
