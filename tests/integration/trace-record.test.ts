import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { inboundFilters, matchesAny, topics, type Case, type Outcome } from '../../protocol/index.js';
import { SystemClock } from '../../lib/clock/index.js';
import { isCommand, type SimulatedCar } from '../../simulator/car/index.js';
import { canonicalJson } from '../../qa/trace/canonical.js';
import { diffJson, formatDiff } from '../../qa/trace/diff.js';
import { payloadText } from '../../qa/trace/lines.js';
import { OutcomeCollector } from '../../qa/trace/outcome.js';
import { readTraceFile, type ParsedTrace } from '../../qa/trace/reader.js';
import { recordEmbedded } from '../../qa/trace/record-embedded.js';
import { recordMqtt } from '../../qa/trace/record-mqtt.js';
import { replayTrace } from '../../qa/trace/replay.js';
import { replayToUrl } from '../../qa/trace/replay-url.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';
import { vin } from '../helpers/vins.js';

const BIN = resolve(import.meta.dirname, '../../bin/anshin.js');
const wall = new SystemClock();
const sleep = (ms: number) => new Promise<void>((r) => wall.setTimer(ms, r));
/** Trace lines written so far (the header not counted). */
const linesIn = (path: string) => Math.max(0, readFileSync(path, 'utf8').split('\n').length - 2);
const TIME_KEYS = new Set(['t', 'at', 'openedAt', 'closedAt', 'connectedAt', 'clearedAt', 'until', 'durationMs', 'answeredAt']);
/**
 * The replay runs on past the trace's end (to the lockout expiries), where a call still ringing is
 * escalated (contract "Answer targets") though the live run may have ended before its target.
 */
const PAST_THE_END = new Set(['escalatedAt']);

/** Times of a live run and its replay differ by the few ms a message spends on the wire; compare the rest. */
function withoutTimes(value: unknown, key = ''): unknown {
  if (typeof value === 'number' && TIME_KEYS.has(key)) return 'time';
  if (Array.isArray(value)) return value.map((v) => withoutTimes(v));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).filter(([k]) => !PAST_THE_END.has(k)).map(([k, v]) => [k, withoutTimes(v, k)]));
  return value;
}

/** What the live stack decided and sent, built the same way a replay builds its outcome. */
async function liveOutcome(stack: TestStack, collector: OutcomeCollector, trace: ParsedTrace): Promise<Outcome> {
  let events = 0;
  let operatorActions = 0;
  for (const line of trace.lines) {
    if (line.kind === 'operator') {
      operatorActions++;
      collector.onOperator({ t: line.t, action: line.action, vin: line.vin, eventId: line.eventId, operatorId: line.operatorId, caseId: collector.caseFor(line.vin, line.eventId) ?? null, result: 'ok' });
    } else if (line.dir === 'out') collector.onPublish(line.topic, payloadText(line), collector.startMs + line.t);
    else if (matchesAny(Object.values(inboundFilters), line.topic)) {
      events++;
      collector.noteTopic(line.topic);
    }
  }
  const durationMs = trace.lines.at(-1)?.t ?? 0;
  return collector.build(stack.store, { events, operatorActions, durationMs }, (v) => stack.service.lockout(v));
}

describe('record a live embedded stack, then replay: same cases, sessions, lockouts and commands', () => {
  let stack: TestStack;
  const dir = mkdtempSync(join(tmpdir(), 'anshin-rec-'));
  const files = { hook: join(dir, 'hook.ndjson'), sub: join(dir, 'sub.ndjson'), cli: join(dir, 'cli.ndjson') };
  let collector: OutcomeCollector;
  let cliExit: Promise<number | null>;
  let cliOut = '';

  beforeAll(async () => {
    // A 1.2 s lockout so that the live run sees its expiries too (D3.5); the header carries it to the replay.
    stack = await startTestStack({ config: { LOCKOUT_MINUTES: 0.02, MQTT_BROKER_THREAD: 'on' } });
    collector = new OutcomeCollector(wall.now());
    stack.store.onFeed((m) => collector.onFeed(m));
    const hook = recordEmbedded(stack, files.hook);
    const sub = await recordMqtt({ url: stack.mqttUrl, out: files.sub, config: { LOCKOUT_MINUTES: 0.02, IMPACT_DELTA_V_KMH: 8 }, wallClock: wall });
    const cli = spawn(process.execPath, [BIN, 'trace', 'record', '--url', stack.mqttUrl, '--out', files.cli], { env: { ...process.env, LOCKOUT_MINUTES: '0.02' }, stdio: ['ignore', 'pipe', 'pipe'] });
    cli.stdout.on('data', (d: Buffer) => (cliOut += d.toString()));
    cliExit = new Promise((r) => cli.on('close', r));
    await new Promise<void>((r) => cli.stderr.once('data', () => r())); // "recording v1/# on …": subscribed

    const a = await stack.car(vin(501), 11);
    const b = await stack.car(vin(502), 12);
    const caseOf = (car: SimulatedCar, eventId: string) =>
      vi.waitFor(
        async () => {
          const list = (await stack.http('GET', '/v1/cases?status=open')).body as Case[];
          const c = list.find((x) => x.vin === car.vin && x.eventId === eventId);
          if (!c) throw new Error(`no open case yet for ${car.vin} ${eventId}`);
          return c;
        },
        { timeout: 10_000, interval: 20 },
      );
    const act = async (c: Case, action: string, body: object = {}) => expect((await stack.http('POST', `/v1/cases/${c.id}/${action}`, body)).status).toBe(200);

    const crash = await caseOf(a, await a.airbag());
    const sos = await caseOf(b, await b.pressSos());
    await act(crash, 'answer');
    await act(crash, 'hangup');
    // Replay times are the recorder's, a few ms off the service's: keep timer-driven steps (the two
    // lockout expiries) further apart than that, or their order may flip (see simulator/README "Traces").
    await sleep(100);
    await b.pressTrouble(); // D2.3: the car hangs up its SOS call
    await b.waitFor(isCommand('call.state', (c) => c.state === 'cleared'));
    await a.pressTrouble(); // D3.1: unavailable during the lockout
    await a.waitFor(isCommand('notice'));
    const raw = await mqtt.connectAsync(stack.mqttUrl, { protocolVersion: 4 });
    await raw.publishAsync(topics.event(vin(503), 'sos'), '{"not json', { qos: 1 }); // dead-lettered
    await raw.endAsync();
    for (const car of [a, b]) await car.waitFor((s) => s.kind === 'lockout' && !s.lockout.active, 5000, { includePast: false }); // D3.5
    await act(crash, 'close', { resolution: 'no_response_dispatched' });
    await act(sos, 'close', { resolution: 'accidental' });
    await caseOf(a, await a.pressTrouble()); // the lockout is over: a trouble case opens
    // The last acks: every command the service sent the cars is acknowledged (the broker hook records an
    // ack before the service takes it), and both subscribers have caught up with the hook.
    const unacked = async () => {
      const sent = await Promise.all([a, b].map(async (car) => (await stack.http('GET', `/v1/vehicles/${car.vin}/commands`)).body as { ack?: unknown }[]));
      return sent.flat().filter((c) => !c.ack).length;
    };
    // (vi.waitFor: expect.poll only runs inside a test, this is beforeAll)
    await vi.waitFor(async () => expect(await unacked()).toBe(0), { timeout: 10_000, interval: 20 });
    await vi.waitFor(() => expect(sub.lines).toBe(hook.lines), { timeout: 10_000, interval: 20 });
    await vi.waitFor(() => expect(linesIn(files.cli)).toBe(hook.lines), { timeout: 10_000, interval: 20 });
    await hook.stop();
    await sub.stop();
    cli.kill('SIGINT');
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('the replay of the broker-hook recording decides as the live stack did', async () => {
    const trace = await readTraceFile(files.hook, { strict: true });
    const live = await liveOutcome(stack, collector, trace);
    const { outcome } = await replayTrace(trace);
    expect(live.cases).toHaveLength(3);
    expect(live.deadLetters).toEqual([{ reason: 'malformed_json', count: 1 }]);
    const diff = diffJson(withoutTimes(JSON.parse(canonicalJson(live))), withoutTimes(JSON.parse(canonicalJson(outcome))));
    expect(formatDiff(diff)).toBe('');
    // Acks name the live command ids; the replay maps them onto its own, so every acked command is acked in both.
    expect(outcome.commands.filter((c) => c.ack).length).toBe(live.commands.filter((c) => c.ack).length);
  });

  it('a v1/# subscriber records the same traffic, operator actions included (audit topic), and replays the same', async () => {
    const hook = await readTraceFile(files.hook, { strict: true });
    const sub = await readTraceFile(files.sub, { strict: true });
    const key = (l: ParsedTrace['lines'][number]) => (l.kind === 'operator' ? `op ${l.action} ${l.eventId}` : `${l.dir} ${l.topic} ${l.payload}`);
    expect(sub.lines.map(key).sort()).toEqual(hook.lines.map(key).sort());
    expect(sub.lines.filter((l) => l.kind === 'operator')).toHaveLength(4);
    const a = withoutTimes(JSON.parse(canonicalJson((await replayTrace(hook)).outcome)));
    const b = withoutTimes(JSON.parse(canonicalJson((await replayTrace(sub)).outcome)));
    expect(formatDiff(diffJson(a, b))).toBe('');
  });

  it('anshin trace record --url flushes on SIGINT; the file reads back whole', async () => {
    expect(await cliExit).toBe(0);
    expect(cliOut).toMatch(/^\d+ lines recorded to /);
    const trace = await readTraceFile(files.cli, { strict: true });
    expect(trace.header.config.LOCKOUT_MINUTES).toBe(0.02);
    expect(trace.lines.filter((l) => l.kind === 'operator').map((l) => l.kind === 'operator' && l.action)).toEqual(['answer', 'hangup', 'close', 'close']);
  });

  it('--url replay: a recorded trace replayed twice against the running stack opens its cases twice, operator actions included', async () => {
    const trace = await readTraceFile(files.hook, { strict: true });
    const before = ((await stack.http('GET', '/v1/cases?status=closed')).body as Case[]).length;
    const s = await replayToUrl(trace, { url: stack.mqttUrl, httpUrl: stack.httpUrl, speed: 20, loops: 2, wallClock: wall });
    expect(s.loops).toBe(2);
    expect(s.operatorFailed).toBe(0);
    expect(s.operatorOk).toBe(8);
    const closed = ((await stack.http('GET', '/v1/cases?status=closed')).body as Case[]).length;
    expect(closed - before).toBe(4);
  });
});
