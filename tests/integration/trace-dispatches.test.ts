/**
 * Issue 12 part 4, traces: dispatches, their status changes and no response are recorded as operator
 * lines (from the audit, through `v1/audit/operator-actions`) and a replay reproduces the dispatches.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { topics, type Case, type Dispatch, type TraceOperatorLine } from '../../protocol/index.js';
import { readTraceFile } from '../../qa/trace/reader.js';
import { recordEmbedded } from '../../qa/trace/record-embedded.js';
import { replayTrace } from '../../qa/trace/replay.js';
import { RawMqttClient, validEvent } from '../helpers/raw-mqtt.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';
import { vin } from '../helpers/vins.js';

/** What a replay must reproduce of a dispatch (ids and times differ between the runs). */
const shape = (d: Dispatch | Record<string, unknown>) => {
  const x = d as Dispatch;
  return { agency: x.agency, status: x.status, requestedBy: x.requestedBy, noResponse: x.noResponse, etaMinutes: x.etaMinutes, reference: x.reference, note: x.note, destination: x.destination?.kind, steps: x.history.map((h) => h.status) };
};

describe('trace record and replay of dispatches (issue 12 part 4)', () => {
  let stack: TestStack;
  let car: RawMqttClient;
  afterAll(async () => {
    await car?.end();
    await stack?.close();
  });

  it('dispatch, dispatch_update and no_response lines are recorded, and the replay has the same dispatches on the same case', async () => {
    stack = await startTestStack();
    const file = join(mkdtempSync(join(tmpdir(), 'anshin-dispatch-trace-')), 'trace.ndjson');
    const recording = recordEmbedded(stack, file);
    const feed = await stack.feed();
    car = await RawMqttClient.connect(stack.mqttUrl);
    const v = vin(1401);
    const e = validEvent(v, 'airbag', { data: { deployed: ['driver_front'], deltaVKmh: 10, direction: 'front', seatbelts: { driver: true } } });
    await car.publish(topics.event(v, 'airbag'), JSON.stringify(e));
    const c = (await feed.next<{ type: string; case: Case }>((m) => m.type === 'case.opened')).case;
    expect((await stack.http('POST', `/v1/cases/${c.id}/answer`)).status).toBe(200);
    const d = (await stack.http('POST', `/v1/cases/${c.id}/dispatches`, { agency: 'road_service', reference: 'JAF-1', note: 'tow to dealer' })).body as Dispatch;
    expect((await stack.http('PATCH', `/v1/cases/${c.id}/dispatches/${d.id}`, { status: 'en_route', etaMinutes: 25 })).status).toBe(200);
    expect((await stack.http('POST', `/v1/cases/${c.id}/no-response`)).status).toBe(201);
    expect((await stack.http('POST', `/v1/cases/${c.id}/no-response`)).status).toBe(200); // a repeat changes nothing: not traced
    await feed.next<{ type: string; case: Case }>((m) => m.type === 'case.updated' && (m.case.dispatches?.length ?? 0) === 3);
    // The audit topic goes out through the outbox after the commit: wait for the recorder to write its line.
    await expect.poll(() => readFileSync(file, 'utf8').includes('"no_response"')).toBe(true);
    await recording.stop();

    const trace = await readTraceFile(file, { strict: true });
    const ops = trace.lines.filter((l): l is TraceOperatorLine => l.kind === 'operator');
    expect(ops.map((l) => l.action)).toEqual(['answer', 'dispatch', 'dispatch_update', 'no_response']);
    expect(ops[1]).toMatchObject({ agency: 'road_service', reference: 'JAF-1', note: 'tow to dealer', destination: { kind: 'nearest_dealer' } });
    expect(ops[2]).toMatchObject({ dispatch: 0, status: 'en_route', etaMinutes: 25 });

    const live = ((await stack.http('GET', `/v1/cases/${c.id}`)).body as Case).dispatches!;
    const { outcome } = await replayTrace(trace);
    const replayed = outcome.cases[0]!.dispatches as Record<string, unknown>[];
    expect(replayed.map(shape)).toEqual(live.map(shape));
    expect(replayed.map((x) => x.id)).toEqual(['dispatch-1', 'dispatch-2', 'dispatch-3']);
    expect(outcome.operatorActions.map((a) => [a.action, a.result])).toEqual([
      ['answer', 'ok'],
      ['dispatch', 'ok'],
      ['dispatch_update', 'ok'],
      ['no_response', 'ok'],
    ]);
  });
});
