import { describe, expect, it } from 'vitest';
import { CarState, Outbox } from '../../simulator/car/index.js';
import type { Command } from '../../protocol/index.js';

const base = { v: 1 as const, ts: '2026-11-21T10:00:00.000Z' };
const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);

describe('CarState (given commands from the backend)', () => {
  it('D2.5: audio stays muted until every muting call is cleared', () => {
    const s = new CarState();
    const cmd = (sessionId: string, state: 'ringing' | 'connected' | 'cleared', audioMuted: boolean): Command => ({ ...base, commandId: `c-${sessionId}-${state}`, cmd: 'call.state', sessionId, state, audioMuted });
    s.apply(cmd('s1', 'ringing', true), T0);
    expect(s.audioMuted).toBe(true);
    s.apply(cmd('s1', 'connected', true), T0);
    expect(s.activeCalls()).toEqual(['s1']);
    s.apply(cmd('s1', 'cleared', false), T0);
    expect(s.audioMuted).toBe(false);
    expect(s.activeCalls()).toEqual([]);
  });

  it('D3.1/D3.5: a feature is locked while active and until is null or ahead', () => {
    const s = new CarState();
    s.apply({ ...base, commandId: 'l1', cmd: 'lockout', vin: 'JHMZE2H59ES000001', active: true, features: ['remote_operations', 'trouble_button'], until: null }, T0);
    expect(s.isLocked('trouble_button', T0)).toBe(true);
    expect(s.isLocked('wifi', T0)).toBe(false);
    s.applyLockout({ active: true, features: ['trouble_button'], until: new Date(T0 + 60_000).toISOString() });
    expect(s.isLocked('trouble_button', T0 + 59_999)).toBe(true);
    expect(s.isLocked('trouble_button', T0 + 60_000)).toBe(false);
  });

  it('D3.1: a remote operation during a remote_operations lockout is refused with a reason', () => {
    const s = new CarState();
    s.applyLockout({ active: true, features: ['remote_operations'], until: null });
    expect(s.apply({ ...base, commandId: 'r1', cmd: 'remote', operation: 'horn' }, T0)).toMatch(/locked out/);
    s.applyLockout({ active: false, features: [], until: null });
    expect(s.apply({ ...base, commandId: 'r2', cmd: 'remote', operation: 'horn' }, T0)).toBeUndefined();
  });

  it('records notices, callbacks (D2.6) and Wi-Fi', () => {
    const s = new CarState();
    s.apply({ ...base, commandId: 'n1', cmd: 'notice', code: 'hangup_rejected' }, T0);
    s.apply({ ...base, commandId: 'cb', cmd: 'callback', sessionId: 's9' }, T0);
    s.apply({ ...base, commandId: 'w', cmd: 'wifi', enabled: false, until: '2026-11-21T11:00:00.000Z' }, T0);
    expect(s.notices.map((n) => n.code)).toEqual(['hangup_rejected']);
    expect(s.callbacks).toEqual(['s9']);
    expect(s.wifiEnabled).toBe(false);
  });

  it('D3.2: Wi-Fi is unavailable while a wifi lockout holds, even if switched on', () => {
    const s = new CarState();
    expect(s.wifiAvailable(T0)).toBe(true);
    s.applyLockout({ active: true, features: ['wifi', 'app_center'], until: new Date(T0 + 1000).toISOString() });
    expect(s.wifiAvailable(T0)).toBe(false);
    expect(s.wifiAvailable(T0 + 1000)).toBe(true);
  });
});

describe('Outbox', () => {
  it('keeps entries until acked, in fire order, and resolves every caller once', async () => {
    const o = new Outbox();
    const got: string[] = [];
    o.add({ eventId: 'a', topic: 't', payload: '1', resolve: (id) => got.push(id), reject: () => {} });
    o.add({ eventId: 'b', topic: 't', payload: '2', resolve: (id) => got.push(id), reject: () => {} });
    o.add({ eventId: 'a', topic: 't', payload: '1', resolve: (id) => got.push(`${id}2`), reject: () => {} });
    expect(o.waiting().map((e) => e.eventId)).toEqual(['a', 'b']);
    o.acked('a');
    expect(got).toEqual(['a', 'a2']);
    expect(o.ids()).toEqual(['b']);
    let failed = '';
    o.add({ eventId: 'c', topic: 't', payload: '3', resolve: () => {}, reject: (e) => (failed = e.message) });
    o.failAll(new Error('gone'));
    expect(failed).toBe('gone');
    expect(o.size).toBe(0);
  });
});
