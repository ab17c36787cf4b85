import { pino } from 'pino';
import { inboundFilters, matchesAny, parseTopic, topics, type OutboxEmail, type Outcome, type TraceMqttLine, type TraceOperatorLine } from '../../protocol/index.js';
import { VirtualClock, type Clock } from '../../lib/clock/index.js';
import { loadConfig } from '../../services/config.js';
import { ulidFactory } from '../../lib/ids.js';
import type { Outbound } from '../../services/incident/core.js';
import { DomainError } from '../../services/incident/domain-errors.js';
import { IncidentService } from '../../services/incident/service.js';
import { MemoryStore } from '../../services/incident/store/memory-store.js';
import { mulberry32 } from '../../simulator/car/prng.js';
import type { DispatchRequest } from '../../services/incident/domain/index.js';
import { payloadBytes, payloadText } from './lines.js';
import { dispatchBody, recordedContacts } from './operator-request.js';
import { OutcomeCollector } from './outcome.js';
import type { ParsedTrace } from './reader.js';

export type ReplaySpeed = number | 'max';

export interface ReplayOptions {
  /** `max` (default): as fast as the service decides. A number paces trace time against `wallClock`. */
  speed?: ReplaySpeed;
  /** Only for paced replays: the real clock that virtual time is paced against. */
  wallClock?: Clock;
  /** Seed of the replay's id generator (ids are normalised in the outcome anyway). */
  seed?: number;
}

export interface ReplayResult {
  outcome: Outcome;
  /** Trace lines handed to the service: `in` MQTT lines on the service's topics, operator lines. */
  fed: number;
}

const INBOUND = Object.values(inboundFilters);

/**
 * Replays a trace into a fresh in-process service: VirtualClock at the header's start, MemoryStore,
 * deterministic ids, an Outbound that only records. `in` lines go through `service.ingest` at their
 * time, operator lines through `service.operatorAction` (the case found by vin + eventId). Then time
 * runs on past the end by LOCKOUT_MINUTES + 1 min so pending lockout expiries fire (D3.5). No network,
 * no wall time: the same trace always gives the same outcome.
 */
export async function replayTrace(trace: ParsedTrace, opts: ReplayOptions = {}): Promise<ReplayResult> {
  const { header } = trace;
  const startMs = Date.parse(header.startedAt);
  const clock = new VirtualClock(startMs);
  const config = loadConfig({}, { ...header.config, LOG_LEVEL: 'silent' });
  const store = new MemoryStore({ feedHistory: 100, commandsPerVehicle: 100_000 });
  const collector = new OutcomeCollector(startMs);
  store.onFeed((m) => collector.onFeed(m));
  // Every message reaches the recorder at once: confirmed, so the outbox never sends one again.
  // D4.5: the latest confirmation token mailed to each address, so a relay line can confirm what the recording had confirmed.
  const tokens = new Map<string, string>();
  const outbound: Outbound = {
    publish: (topic, payload, _options, done) => {
      collector.onPublish(topic, payload, clock.now());
      if (topic === topics.outboxEmail) {
        const mail = JSON.parse(payload) as OutboxEmail;
        if (mail.kind === 'contact_confirmation') tokens.set(mail.to, mail.token);
      }
      done?.();
    },
  };
  const rng = mulberry32(opts.seed ?? 1);
  const service = new IncidentService({ store, clock, config, outbound, logger: pino({ level: 'silent' }), newId: ulidFactory(clock, () => rng.next()) });
  await service.start();

  const recorded = recordedCommands(trace);
  const pace = pacer(opts);
  // Acks recorded a hair before the replay sent their command (the live service acted a few ms before
  // the recorder saw the operator action that caused it): fed as soon as the command exists.
  const pendingAcks: TraceMqttLine[] = [];
  const flushAcks = async () => {
    for (let i = 0; i < pendingAcks.length; ) {
      const mapped = ackMapped(pendingAcks[i]!, recorded, collector);
      if (mapped === 'later') {
        i++;
        continue;
      }
      const [line] = pendingAcks.splice(i, 1);
      await service.ingest(line!.topic, mapped ?? payloadBytes(line!));
    }
  };
  let fed = 0;
  let events = 0;
  let operatorActions = 0;
  let durationMs = 0;
  for (const line of trace.lines) {
    durationMs = Math.round(line.t);
    if (line.kind === 'mqtt' && (line.dir !== 'in' || !matchesAny(INBOUND, line.topic))) continue;
    if (line.kind === 'mqtt' && ackOfUnreplayed(line, recorded)) continue;
    await pace(line.t);
    // The service's clock has whole milliseconds (ids and ISO times need them); recordings have µs.
    const target = startMs + Math.round(line.t);
    if (target > clock.now()) await clock.advanceTo(target);
    await flushAcks();
    fed++;
    if (line.kind === 'mqtt') {
      events++;
      collector.noteTopic(line.topic);
      const mapped = ackMapped(line, recorded, collector);
      if (mapped === 'later') pendingAcks.push(line);
      else await service.ingest(line.topic, mapped ?? payloadBytes(line));
    } else {
      operatorActions++;
      await operate(service, collector, line, tokens);
    }
  }
  // D3.5: lockouts still running at the end of the trace expire in the replay too.
  await clock.advanceTo(startMs + durationMs + (config.LOCKOUT_MINUTES + 1) * 60_000);
  await flushAcks();
  for (const line of pendingAcks.splice(0)) await service.ingest(line.topic, payloadBytes(line)); // never matched: dead-lettered as live would
  const outcome = await collector.build(store, { events, operatorActions, durationMs }, (vin) => service.lockout(vin));
  await service.stop();
  await store.close();
  return { outcome, fed };
}

async function operate(service: IncidentService, collector: OutcomeCollector, line: TraceOperatorLine, tokens: Map<string, string>): Promise<void> {
  const caseId = collector.caseFor(line.vin, line.eventId);
  let result = 'ok';
  if (!caseId) result = 'case_not_found';
  else {
    try {
      await perform(service, caseId, line, tokens);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      result = err.code;
    }
  }
  collector.onOperator({ t: line.t, action: line.action, vin: line.vin, eventId: line.eventId, operatorId: line.operatorId, caseId: caseId ?? null, result });
}

/** One operator line through the service, as the HTTP route would (issue 12 part 4: dispatches and no response too). */
async function perform(service: IncidentService, caseId: string, line: TraceOperatorLine, tokens: Map<string, string>): Promise<void> {
  const base = { caseId, operatorId: line.operatorId };
  const actor = { kind: 'operator' as const, id: line.operatorId };
  switch (line.action) {
    case 'close':
      await service.operatorAction({ ...base, kind: 'close', resolution: line.resolution ?? '', ...(line.note !== undefined ? { note: line.note } : {}) });
      return;
    case 'dispatch':
      await service.dispatches.create({ ...base, ...(dispatchBody(line) as Omit<DispatchRequest, 'caseId' | 'operatorId'>) }, actor);
      return;
    case 'dispatch_update': {
      const d = (await service.caseWithSession(caseId)).dispatches?.[line.dispatch ?? -1];
      if (!d || !line.status) throw new DomainError('dispatch_not_found', 'the case has no such dispatch', { dispatchId: `#${String(line.dispatch)}` });
      await service.dispatches.update({ ...base, dispatchId: d.id, status: line.status, ...(line.etaMinutes !== undefined ? { etaMinutes: line.etaMinutes } : {}) }, actor);
      return;
    }
    case 'no_response':
      await service.dispatches.noResponse(base, actor);
      return;
    case 'relay':
      // D4.5: the relay depends on the car's contacts: register them as recorded, confirm what was confirmed.
      if (line.contacts) await restoreContacts(service, line, actor, tokens);
      await service.messageRelay.create({ ...base, message: line.message ?? '' }, actor);
      return;
    case 'relay_phone_result': {
      const r = (await service.caseWithSession(caseId)).relays?.[line.relay ?? -1];
      if (!r || line.answered === undefined) throw new DomainError('relay_not_found', 'the case has no such relay', { relayId: `#${String(line.relay)}` });
      await service.messageRelay.phoneResult({ ...base, relayId: r.id, answered: line.answered }, actor);
      return;
    }
    default:
      await service.operatorAction({ ...base, kind: line.action });
  }
}

/** The car's contacts as a `relay` line recorded them: registered, and confirmed with the token the replay mailed (D4.5). */
async function restoreContacts(service: IncidentService, line: TraceOperatorLine, actor: { kind: 'operator'; id: string }, tokens: Map<string, string>): Promise<void> {
  const { contacts } = await service.contacts.put(line.vin, recordedContacts(line), actor);
  for (const [i, recorded] of (line.contacts ?? []).entries()) {
    const now = contacts[i];
    const token = now?.email !== undefined ? tokens.get(now.email) : undefined;
    if (recorded.emailStatus === 'confirmed' && now?.emailStatus === 'provisional' && token) await service.contacts.confirm(token);
  }
}

/**
 * Recorded command ids -> (vin, k): the k-th command the live backend sent to that car that a replay
 * sends too; `null` for one it does not. Commands caused by HTTP calls other than operator actions are
 * not in the trace (README "Traces"), so a replay never sends them: `remote` (a remote operation) and a
 * `wifi` the owner asked for. The `wifi` that mirrors a lockout (D3.2) comes right after its car's
 * `lockout` command, in the same decision (services/incident/domain/changes.ts), and is replayed. Left
 * in the count, the others would shift every later k and pin acks on the wrong commands.
 */
export function recordedCommands(trace: ParsedTrace): Map<string, { vin: string; k: number } | null> {
  const out = new Map<string, { vin: string; k: number } | null>();
  const counts = new Map<string, number>();
  const previous = new Map<string, string>();
  for (const line of trace.lines) {
    if (line.kind !== 'mqtt' || line.dir !== 'out') continue;
    const route = parseTopic(line.topic);
    if (route.kind !== 'commands') continue;
    const body = commandOf(payloadText(line));
    if (body === undefined) continue;
    const before = previous.get(route.vin);
    previous.set(route.vin, body.cmd);
    if (body.cmd === 'remote' || (body.cmd === 'wifi' && before !== 'lockout')) {
      out.set(body.commandId, null);
      continue;
    }
    const k = counts.get(route.vin) ?? 0;
    counts.set(route.vin, k + 1);
    out.set(body.commandId, { vin: route.vin, k });
  }
  return out;
}

/** An ack of a recorded command that a replay does not send (`recordedCommands`): not fed. */
export function ackOfUnreplayed(line: TraceMqttLine, recorded: Map<string, { vin: string; k: number } | null>): boolean {
  if (parseTopic(line.topic).kind !== 'acks' || line.payload === undefined) return false;
  const id = commandOf(line.payload)?.commandId;
  return id !== undefined && recorded.get(id) === null;
}

/**
 * A car's ack names the command id the live backend minted; the replay minted others. The k-th command
 * to a car is the same command in both runs (same inputs, same decisions), so the ack is rewritten to
 * the replay's k-th id; `later` when the replay has not sent that command yet. An ack of a command the
 * trace does not show is fed as recorded (and dead-lettered as unknown, as live).
 */
function ackMapped(line: TraceMqttLine, recorded: Map<string, { vin: string; k: number } | null>, collector: OutcomeCollector): Buffer | 'later' | undefined {
  const route = parseTopic(line.topic);
  if (route.kind !== 'acks' || line.payload === undefined) return undefined;
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(line.payload) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const at = typeof body.commandId === 'string' ? recorded.get(body.commandId) : undefined;
  if (!at || at.vin !== route.vin) return undefined;
  const replayed = collector.commandId(route.vin, at.k);
  return replayed ? Buffer.from(JSON.stringify({ ...body, commandId: replayed })) : 'later';
}

/** `{commandId, cmd}` of a command or an ack (`cmd` is empty for an ack); undefined when not JSON. */
function commandOf(payload: string): { commandId: string; cmd: string } | undefined {
  try {
    const { commandId, cmd } = JSON.parse(payload) as { commandId?: unknown; cmd?: unknown };
    return typeof commandId === 'string' ? { commandId, cmd: typeof cmd === 'string' ? cmd : '' } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `--speed 1|10`: waits until wall time since the start reaches trace time / speed. Only fed lines are
 * paced; the run past the last line to the lockout expiries stays virtual. In an in-process replay this
 * wall-clock timer is the only thing pending during a wait (no sockets), so it must keep the process
 * alive, as the Clock contract says (lib/clock/clock.ts).
 */
function pacer(opts: ReplayOptions): (t: number) => Promise<void> {
  const speed = opts.speed ?? 'max';
  const wall = opts.wallClock;
  if (speed === 'max' || !wall) return async () => {};
  const wallStart = wall.now();
  return (t) => {
    const wait = wallStart + t / speed - wall.now();
    return wait > 0 ? new Promise<void>((resolve) => wall.setTimer(wait, resolve)) : Promise.resolve();
  };
}
