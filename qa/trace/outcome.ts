import {
  DeadLetter,
  OUTCOME_FORMAT,
  OUTCOME_VERSION,
  isVin,
  parseTopic,
  topics,
  type FeedMessage,
  type LockoutView,
  type Outcome,
} from '../../protocol/index.js';
import type { Store } from '../../services/incident/store/port.js';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Names ids `case-1`, `session-1`, … in order of first appearance. */
class IdNames {
  private readonly names = new Map<string, string>();
  private readonly counts = new Map<string, number>();
  constructor(private readonly all: Map<string, string>) {}

  name(prefix: string, id: string): string {
    const known = this.names.get(id);
    if (known) return known;
    const n = (this.counts.get(prefix) ?? 0) + 1;
    this.counts.set(prefix, n);
    const name = `${prefix}-${n}`;
    this.names.set(id, name);
    this.all.set(id, name);
    return name;
  }

  has(id: string): boolean {
    return this.names.has(id);
  }
}

export interface OperatorResult {
  t: number;
  action: string;
  vin: string;
  eventId: string;
  operatorId: string;
  caseId: string | null;
  result: string;
}

interface SentCommand {
  vin: string;
  at: number;
  body: Record<string, unknown>;
}

/**
 * Watches what a service decides (its store's feed) and sends (its outbound publishes), and turns it
 * into a normalised outcome. Used by replay, and by tests on a live stack to compare the two.
 */
export class OutcomeCollector {
  private readonly idMap = new Map<string, string>();
  private readonly ids = new IdNames(this.idMap);
  private readonly caseOrder: string[] = [];
  private readonly sessionOrder: string[] = [];
  private readonly caseByEvent = new Map<string, string>();
  private readonly lockoutHistory = new Map<string, Record<string, unknown>[]>();
  private readonly commands: SentCommand[] = [];
  private readonly commandIdsByVin = new Map<string, string[]>();
  private readonly deadLetters = new Map<string, number>();
  private readonly operator: OperatorResult[] = [];
  private readonly emails: Record<string, unknown>[] = [];
  /** D4.6: messages to owners' apps, raw ids (named in `build`, once the dispatches and tokens have names). */
  private readonly appMessages: Record<string, unknown>[] = [];
  readonly vins = new Set<string>();

  constructor(readonly startMs: number) {}

  onFeed(m: FeedMessage): void {
    if (m.type === 'case.opened') {
      if (!this.ids.has(m.case.id)) this.caseOrder.push(m.case.id);
      this.ids.name('case', m.case.id);
      this.caseByEvent.set(`${m.case.vin}/${m.case.eventId}`, m.case.id);
      this.session(m.case.sessionId);
      this.vins.add(m.case.vin);
    } else if (m.type === 'session.updated') {
      this.session(m.session.id);
    } else if (m.type === 'lockout.updated') {
      const list = this.lockoutHistory.get(m.lockout.vin) ?? [];
      list.push({ at: m.at, active: m.lockout.active, features: m.lockout.features, until: m.lockout.until });
      this.lockoutHistory.set(m.lockout.vin, list);
      this.vins.add(m.lockout.vin);
    }
  }

  /** A car that sent something: its alerts and recorded impacts belong in the outcome. */
  noteTopic(topic: string): void {
    const route = parseTopic(topic);
    if (route.kind !== 'other' && isVin(route.vin)) this.vins.add(route.vin);
  }

  /** A publish by the service (commands, lockout, dead letters, partner alarms, audit, emails). */
  onPublish(topic: string, payload: string, at: number): void {
    if (topic === topics.outboxEmail) {
      // D4.5: which email went where; not the body or the token (random in every run).
      const mail = parseJson<{ kind?: unknown; to?: unknown; subject?: unknown }>(payload);
      if (mail) this.emails.push({ t: at - this.startMs, kind: mail.kind, to: mail.to, subject: mail.subject });
      return;
    }
    const app = /^v1\/vehicles\/([^/]+)\/app-messages$/.exec(topic);
    if (app) {
      // D4.6: the token is random in every run: named like an id (`track-1`), the URL's base left out.
      const m = parseJson<{ kind?: unknown; caseId?: unknown; dispatchId?: unknown; trackUrl?: unknown }>(payload);
      const token = typeof m?.trackUrl === 'string' ? m.trackUrl.slice(m.trackUrl.lastIndexOf('/') + 1) : undefined;
      if (m) this.appMessages.push({ t: at - this.startMs, vin: app[1], kind: m.kind, case: m.caseId, dispatch: m.dispatchId, track: token });
      return;
    }
    if (topic === topics.deadLetter) {
      const reason = parseJson<DeadLetter>(payload)?.reason ?? 'unreadable';
      this.deadLetters.set(reason, (this.deadLetters.get(reason) ?? 0) + 1);
      return;
    }
    const route = parseTopic(topic);
    if (route.kind !== 'commands') return;
    const body = parseJson<Record<string, unknown>>(payload);
    if (!body || typeof body.commandId !== 'string') return;
    this.ids.name('cmd', body.commandId);
    const list = this.commandIdsByVin.get(route.vin) ?? [];
    list.push(body.commandId);
    this.commandIdsByVin.set(route.vin, list);
    this.commands.push({ vin: route.vin, at, body });
    this.vins.add(route.vin);
  }

  /** The k-th command this service sent to `vin` (to map recorded acks onto replayed commands). */
  commandId(vin: string, k: number): string | undefined {
    return this.commandIdsByVin.get(vin)?.[k];
  }

  caseFor(vin: string, eventId: string): string | undefined {
    return this.caseByEvent.get(`${vin}/${eventId}`);
  }

  onOperator(result: OperatorResult): void {
    this.operator.push(result);
  }

  async build(store: Store, trace: Outcome['trace'], lockoutOf: (vin: string) => Promise<LockoutView>): Promise<Outcome> {
    const norm = (v: unknown) => normalize(v, this.startMs, this.idMap);
    const cases = [];
    for (const id of this.caseOrder) {
      const c = await store.getCase(id);
      // Issue 12 part 4: a case's dispatches are named `dispatch-1`, … in order, as its other ids.
      for (const d of c?.dispatches ?? []) this.ids.name('dispatch', d.id);
      // Issue 12 part 6 (D4.6): tracking tokens are random in every run: `track-1`, … likewise.
      for (const d of c?.dispatches ?? []) if (d.trackToken) this.ids.name('track', d.trackToken);
      // Issue 12 part 5: relays `relay-1`, … likewise.
      for (const r of c?.relays ?? []) this.ids.name('relay', r.id);
      cases.push(norm(c));
    }
    const sessions = [];
    for (const id of this.sessionOrder) sessions.push(norm(await store.getSession(id)));

    const vins = [...this.vins].sort();
    const acks = new Map<string, unknown>();
    const alerts: unknown[] = [];
    const impacts: unknown[] = [];
    for (const vin of vins) {
      for (const c of await store.listCommands(vin)) if (c.ack) acks.set(c.commandId, c.ack);
      for (const a of await store.listAlerts(vin)) {
        this.ids.name('alert', a.id);
        alerts.push(norm(a));
      }
      for (const i of await store.listImpacts(vin)) impacts.push(norm(i));
    }
    const commands = this.commands.map(({ vin, at, body }) => {
      const { v: _v, ts: _ts, ...rest } = body;
      const ack = acks.get(body.commandId as string);
      return norm({ vin, t: at - this.startMs, ...rest, ...(ack ? { ack } : {}) });
    });
    const lockouts = [];
    for (const vin of [...this.lockoutHistory.keys()].sort()) {
      const { vin: _v, ...final } = await lockoutOf(vin);
      const history = this.lockoutHistory.get(vin)!.map(({ at, ...rest }) => norm({ t: at, ...rest }));
      lockouts.push({ vin, final: norm(final) as Record<string, unknown>, history: history as Record<string, unknown>[] });
    }
    const operatorActions = this.operator.map(({ caseId, ...rest }) => norm({ ...rest, case: caseId }));
    const deadLetters = [...this.deadLetters].sort(([a], [b]) => a.localeCompare(b)).map(([reason, count]) => ({ reason, count }));
    return {
      format: OUTCOME_FORMAT,
      version: OUTCOME_VERSION,
      trace,
      cases: cases as Record<string, unknown>[],
      sessions: sessions as Record<string, unknown>[],
      lockouts,
      commands: commands as Record<string, unknown>[],
      alerts: alerts as Record<string, unknown>[],
      impacts: impacts as Record<string, unknown>[],
      operatorActions: operatorActions as Record<string, unknown>[],
      deadLetters,
      // Only when there were any: outcomes of traces without emails stay byte for byte as before.
      ...(this.emails.length > 0 ? { emails: this.emails } : {}),
      // D4.6, likewise only when there were any.
      ...(this.appMessages.length > 0 ? { appMessages: this.appMessages.map(norm) as Record<string, unknown>[] } : {}),
    };
  }

  private session(id: string): void {
    if (!this.ids.has(id)) this.sessionOrder.push(id);
    this.ids.name('session', id);
  }
}

/** Ids to their names, ISO times to ms since the start; everything else as is. */
export function normalize(value: unknown, startMs: number, ids: Map<string, string>): unknown {
  if (typeof value === 'string') {
    const name = ids.get(value);
    if (name) return name;
    if (ISO.test(value)) return Date.parse(value) - startMs;
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => normalize(v, startMs, ids));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = normalize(v, startMs, ids);
    return out;
  }
  return value;
}

function parseJson<T>(text: string): T | null {
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}
