import type { Case, FeedMessage, LockoutView, SnapshotMessage, VoiceSession } from '../../protocol/index.js';

/** Console test data: protocol-shaped cases, sessions and feed messages with small overrides. */
let n = 0;

export function vinOf(i: number): string {
  return `JTDTEST${String(i).padStart(10, '0')}`;
}

export function lockout(vin: string, over: Partial<LockoutView> = {}): LockoutView {
  return { vin, active: false, features: [], until: null, ...over };
}

export function makeCase(over: Partial<Case> = {}): Case {
  n++;
  const vin = over.vin ?? vinOf(n);
  return {
    id: `case-${n}`,
    vin,
    trigger: 'airbag',
    priority: 1,
    status: 'open',
    openedAt: '2026-11-21T10:00:00.000Z',
    eventId: `event-${n}`,
    position: { lat: 35.68, lon: 139.76, trusted: true },
    occupants: 2,
    test: false,
    sessionId: `session-${n}`,
    lockout: lockout(vin),
    data: { deployed: ['driver_front'] },
    ...over,
  };
}

export function makeSession(c: Case, over: Partial<VoiceSession> = {}): VoiceSession {
  return {
    id: c.sessionId,
    caseId: c.id,
    vin: c.vin,
    state: 'ringing',
    hangupPolicy: 'operator_only',
    audioMuted: true,
    openedAt: c.openedAt,
    callbacks: [],
    ...over,
  };
}

export function snapshot(seq: number, cases: Case[], reset?: boolean): SnapshotMessage {
  return { type: 'snapshot', seq, at: '2026-11-21T10:00:00.000Z', cases, ...(reset ? { reset } : {}) };
}

export function caseMsg(type: 'case.opened' | 'case.updated' | 'case.closed', seq: number, c: Case): FeedMessage {
  return { type, seq, at: '2026-11-21T10:00:01.000Z', case: c };
}

export function sessionMsg(seq: number, s: VoiceSession): FeedMessage {
  return { type: 'session.updated', seq, at: '2026-11-21T10:00:02.000Z', session: s };
}

export function lockoutMsg(seq: number, l: LockoutView): FeedMessage {
  return { type: 'lockout.updated', seq, at: '2026-11-21T10:00:03.000Z', lockout: l };
}
