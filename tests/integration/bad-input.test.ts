import { createConnection } from 'node:net';
import { Value } from '@sinclair/typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeadLetter, topics, type Case } from '../../protocol/index.js';
import { metricValue, RawMqttClient, validEvent, type RawMessage } from '../helpers/raw-mqtt.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';
import type { FeedClient } from '../helpers/feed-client.js';
import { vin } from '../helpers/vins.js';

/**
 * Contract "MQTT": a payload that fails validation is rejected with a reason (logged, counted,
 * published to v1/dead-letter with the original bytes); nothing else changes and the service keeps
 * running. Real aedes broker, real MQTT.js clients, real HTTP.
 */
describe('bad MQTT input is refused with its reason and changes nothing', () => {
  let stack: TestStack;
  let car: RawMqttClient; // a misbehaving car: publishes hand-made bytes
  let watch: RawMqttClient; // sees dead letters and everything the backend sends to cars
  let feed: FeedClient;
  let nextVin = 100;

  beforeAll(async () => {
    stack = await startTestStack({ config: { MQTT_BROKER_THREAD: 'on' } });
    watch = await RawMqttClient.connect(stack.mqttUrl);
    await watch.subscribe([topics.deadLetter, 'v1/vehicles/+/commands', 'v1/vehicles/+/lockout']);
    car = await RawMqttClient.connect(stack.mqttUrl);
    feed = await stack.feed();
    await feed.next((m) => m.type === 'snapshot');
  });
  afterAll(async () => {
    await car?.end();
    await watch?.end();
    await stack?.close();
  });

  async function metrics(): Promise<string> {
    const res = await fetch(`${stack.httpUrl}/metrics`);
    expect(res.status).toBe(200);
    return res.text();
  }

  async function allCases(): Promise<Case[]> {
    const open = await stack.http('GET', '/v1/cases?status=open');
    const closed = await stack.http('GET', '/v1/cases?status=closed');
    expect(open.status).toBe(200);
    expect(closed.status).toBe(200);
    return [...(open.body as Case[]), ...(closed.body as Case[])];
  }

  function toCars(m: RawMessage): boolean {
    return m.topic !== topics.deadLetter;
  }

  /** Publishes bad bytes and checks everything the contract promises about a rejection. */
  async function expectRejected(topic: string, payload: Buffer, reason: string, opts: { vinToCheck?: string } = {}): Promise<DeadLetter> {
    const casesBefore = await allCases();
    const rejectedBefore = metricValue(await metrics(), 'anshin_ingest_rejections_total', { reason });
    const eventsBefore = metricValue(await metrics(), 'anshin_events_total', { type: 'airbag' });
    const mark = watch.received.length;
    const feedMark = feed.messages.length;
    const seqBefore = (await stack.store.feedSnapshot()).seq;

    await car.publish(topic, payload);
    const letterMsg = await watch.next(
      (m) => m.topic === topics.deadLetter && (JSON.parse(m.payload.toString()) as DeadLetter).payload === payload.toString('base64'),
    );
    const letter = JSON.parse(letterMsg.payload.toString()) as DeadLetter;

    // The dead letter: contract shape, the reason, the topic, and the original bytes round-trip.
    expect(Value.Check(DeadLetter, letter)).toBe(true);
    expect(letter).toMatchObject({ topic, reason });
    expect(Buffer.from(letter.payload, 'base64').equals(payload)).toBe(true);
    expect(Math.abs(Date.parse(letter.receivedAt) - Date.now())).toBeLessThan(60_000);
    expect(letterMsg.retain).toBe(false);

    // Counted, by reason; nothing counted as accepted.
    const after = await metrics();
    expect(metricValue(after, 'anshin_ingest_rejections_total', { reason })).toBe(rejectedBefore + 1);
    expect(metricValue(after, 'anshin_events_total', { type: 'airbag' })).toBe(eventsBefore);

    // Nothing changed: no case, no feed message, no command or lockout to any car.
    expect(await allCases()).toEqual(casesBefore);
    expect((await stack.store.feedSnapshot()).seq).toBe(seqBefore);
    expect(feed.messages.slice(feedMark).filter((m) => m.seq > seqBefore)).toEqual([]);
    expect(watch.received.slice(mark).filter(toCars).map((m) => m.topic)).toEqual([]);
    if (opts.vinToCheck) {
      const lockout = await stack.http('GET', `/v1/vehicles/${opts.vinToCheck}/lockout`);
      expect(lockout.status).toBe(200);
      expect(lockout.body).toMatchObject({ vin: opts.vinToCheck, active: false, features: [] });
      const commands = await stack.http('GET', `/v1/vehicles/${opts.vinToCheck}/commands`);
      expect(commands.body).toEqual([]);
    }
    await expectStillServing();
    return letter;
  }

  /** Healthy, ready, and a valid event from another car right after still opens a case. */
  async function expectStillServing(): Promise<void> {
    const health = await stack.http('GET', '/healthz');
    expect(health.status).toBe(200);
    const ready = await stack.http('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toEqual({ store: 'ok', broker: 'ok', ingest: 'ok' });

    const good = vin(nextVin++);
    const event = validEvent(good);
    await car.publish(topics.event(good, 'airbag'), JSON.stringify(event));
    const opened = await feed.next<{ type: 'case.opened'; case: Case; seq: number }>((m) => m.type === 'case.opened' && m.case.eventId === event.eventId);
    expect(opened.case).toMatchObject({ vin: good, trigger: 'airbag', status: 'open' });
    // ...and its car is told (call state and retained lockout), so nothing of it is still in flight.
    await watch.next((m) => m.topic === topics.commands(good) && (JSON.parse(m.payload.toString()) as { cmd: string }).cmd === 'call.state');
    await watch.next((m) => m.topic === topics.lockout(good));
    await settleCommands(good);
    const seq = (await stack.store.feedSnapshot()).seq;
    await feed.next((m) => m.seq === seq);
  }

  /** Waits until every command the service recorded for `v` has reached the watcher (nothing still in flight). */
  async function settleCommands(v: string): Promise<void> {
    const recorded = ((await stack.http('GET', `/v1/vehicles/${v}/commands`)).body as unknown[]).length;
    await expect.poll(() => watch.received.filter((m) => m.topic === topics.commands(v)).length, { timeout: 5_000, message: `commands to ${v} arrived` }).toBeGreaterThanOrEqual(recorded);
  }

  const bytes = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

  it('malformed_json: bytes that are not JSON (binary bytes round-trip through base64)', async () => {
    const v = vin(1);
    await expectRejected(topics.event(v, 'airbag'), Buffer.from([0x7b, 0x22, 0x76, 0x22, 0x3a, 0xff, 0xfe, 0x00, 0x80]), 'malformed_json', { vinToCheck: v });
    await expectRejected(topics.event(v, 'sos'), bytes('{"v":1,"eventId":"E1","vin":'), 'malformed_json', { vinToCheck: v });
    await expectRejected(topics.event(v, 'sos'), Buffer.alloc(0), 'malformed_json', { vinToCheck: v });
  });

  it('schema_invalid: wrong types, a missing field, and JSON that is not an object', async () => {
    const v = vin(2);
    await expectRejected(topics.event(v, 'airbag'), bytes(validEvent(v, 'airbag', { occupants: 'two', data: { deployed: 'driver_front' } })), 'schema_invalid', { vinToCheck: v });
    const noEventId = validEvent(v, 'sos');
    delete noEventId.eventId;
    await expectRejected(topics.event(v, 'sos'), bytes(noEventId), 'schema_invalid', { vinToCheck: v });
    await expectRejected(topics.event(v, 'impact'), bytes(validEvent(v, 'impact', { data: { deltaVKmh: 'fast' } })), 'schema_invalid', { vinToCheck: v });
    await expectRejected(topics.event(v, 'airbag'), bytes('[1,2,3]'), 'schema_invalid', { vinToCheck: v });
    await expectRejected(topics.event(v, 'airbag'), bytes('null'), 'schema_invalid', { vinToCheck: v });
    await expectRejected(topics.status(v), bytes({ online: 'yes', ts: new Date().toISOString() }), 'schema_invalid', { vinToCheck: v });
  });

  it('nesting_too_deep and schema_invalid: deeply nested JSON and a __proto__ key are refused without harm', async () => {
    const v = vin(21);
    const depth = 7_000;
    const nested = Buffer.from(`{"v":1,"eventId":"DEEP1","vin":"${v}","type":"airbag","ts":"${new Date().toISOString()}","position":null,"data":${'['.repeat(depth)}${']'.repeat(depth)}}`);
    expect(nested.length).toBeLessThan(stack.config.MAX_PAYLOAD_BYTES);
    await expectRejected(topics.event(v, 'airbag'), nested, 'nesting_too_deep', { vinToCheck: v });
    const deepPosition = Buffer.from(`{"v":1,"eventId":"DEEP2","vin":"${v}","type":"sos","ts":"${new Date().toISOString()}","position":${'{"a":'.repeat(2_000)}1${'}'.repeat(2_000)},"data":{}}`);
    await expectRejected(topics.event(v, 'sos'), deepPosition, 'nesting_too_deep', { vinToCheck: v });
    const proto = Buffer.from(`{"v":1,"eventId":"PROTO1","vin":"${v}","type":"airbag","ts":"${new Date().toISOString()}","position":null,"data":{"__proto__":{"deployed":["driver_front"]}}}`);
    await expectRejected(topics.event(v, 'airbag'), proto, 'schema_invalid', { vinToCheck: v });
  });

  it('a flood of garbage does not hold up a valid event, and every piece is dead-lettered and counted', async () => {
    const before = metricValue(await metrics(), 'anshin_ingest_rejections_total', { reason: 'malformed_json' });
    const v = vin(22);
    const valid = validEvent(v, 'sos');
    const sends: Promise<void>[] = [];
    for (let i = 0; i < 300; i++) {
      if (i === 150) sends.push(car.publish(topics.event(v, 'sos'), JSON.stringify(valid)));
      sends.push(car.publish(topics.event(vin(23), 'airbag'), `garbage ${i} {`));
    }
    await Promise.all(sends);
    await feed.next((m) => m.type === 'case.opened' && (m as { case: Case }).case.eventId === valid.eventId, 15_000);
    await expect
      .poll(async () => metricValue(await metrics(), 'anshin_ingest_rejections_total', { reason: 'malformed_json' }) - before, { timeout: 15_000, message: 'rejections counted' })
      .toBe(300);
    await watch.next((m) => m.topic === topics.deadLetter && m.payload.toString().includes(Buffer.from('garbage 299 {').toString('base64')));
    expect(watch.received.filter((m) => m.topic === topics.deadLetter && JSON.parse(m.payload.toString()).topic === topics.event(vin(23), 'airbag'))).toHaveLength(300);
    await settleCommands(v);
    await expectStillServing();
  });

  it('invalid_vin: in the topic (too short; I/O/Q are not ISO 3779) and in the payload', async () => {
    await expectRejected(topics.event('BADVIN123', 'airbag'), bytes(validEvent('BADVIN123')), 'invalid_vin');
    const withI = 'JT2AE92E3KI000003';
    await expectRejected(topics.event(withI, 'airbag'), bytes(validEvent(withI)), 'invalid_vin');
    await expectRejected(topics.telemetry(withI), bytes({ v: 1, vin: withI, ts: new Date().toISOString(), position: null }), 'invalid_vin');
    const v = vin(3);
    const letter = await expectRejected(topics.event(v, 'airbag'), bytes(validEvent(v, 'airbag', { vin: v.toLowerCase() })), 'invalid_vin', { vinToCheck: v });
    expect(letter.detail).toMatch(/payload/);
  });

  it('topic_mismatch: the payload names another car or another event type', async () => {
    const v = vin(4);
    await expectRejected(topics.event(v, 'airbag'), bytes(validEvent(vin(5))), 'topic_mismatch', { vinToCheck: v });
    await expectRejected(topics.event(v, 'sos'), bytes(validEvent(v, 'airbag')), 'topic_mismatch', { vinToCheck: v });
    await expectRejected(topics.telemetry(v), bytes({ v: 1, vin: vin(5), ts: new Date().toISOString(), position: null }), 'topic_mismatch', { vinToCheck: v });
    // The car named in the payload got nothing either.
    const other = await stack.http('GET', `/v1/vehicles/${vin(5)}/lockout`);
    expect(other.body.active).toBe(false);
  });

  it('unknown_event_type: an event type the contract does not name', async () => {
    const v = vin(6);
    await expectRejected(`v1/vehicles/${v}/events/meteor`, bytes(validEvent(v, 'meteor')), 'unknown_event_type', { vinToCheck: v });
    await expectRejected(`v1/vehicles/${v}/events/AIRBAG`, bytes(validEvent(v, 'AIRBAG')), 'unknown_event_type', { vinToCheck: v });
    await expectRejected(`v1/vehicles/${v}/events/`, bytes(validEvent(v, '')), 'unknown_event_type', { vinToCheck: v });
  });

  it('position_out_of_range: latitude over 90, longitude under -180, in events and telemetry', async () => {
    const v = vin(7);
    await expectRejected(topics.event(v, 'airbag'), bytes(validEvent(v, 'airbag', { position: { lat: 91, lon: 139.7, trusted: true } })), 'position_out_of_range', { vinToCheck: v });
    await expectRejected(topics.event(v, 'sos'), bytes(validEvent(v, 'sos', { position: { lat: 35.6, lon: -181, trusted: true } })), 'position_out_of_range', { vinToCheck: v });
    await expectRejected(topics.telemetry(v), bytes({ v: 1, vin: v, ts: new Date().toISOString(), position: { lat: -90.5, lon: 0, trusted: true } }), 'position_out_of_range', { vinToCheck: v });
  });

  it('unsupported_version: v 2', async () => {
    const v = vin(8);
    await expectRejected(topics.event(v, 'airbag'), bytes(validEvent(v, 'airbag', { v: 2 })), 'unsupported_version', { vinToCheck: v });
    await expectRejected(topics.acks(v), bytes({ v: 2, commandId: 'C1', ok: true }), 'unsupported_version', { vinToCheck: v });
  });

  it('payload_too_large: a payload over MAX_PAYLOAD_BYTES (but under the MQTT packet limit)', async () => {
    const v = vin(9);
    const big = bytes(validEvent(v, 'trouble', { data: { warningLamps: [] }, pad: 'x'.repeat(stack.config.MAX_PAYLOAD_BYTES) }));
    expect(big.length).toBeGreaterThan(stack.config.MAX_PAYLOAD_BYTES);
    expect(big.length).toBeLessThan(stack.config.MQTT_MAX_PACKET_BYTES);
    await expectRejected(topics.event(v, 'trouble'), big, 'payload_too_large', { vinToCheck: v });
  });

  it('payload_too_large: a payload just under the MQTT packet limit is dead-lettered (cut to fit one packet), and the service stays connected', async () => {
    const v = vin(24);
    const topic = topics.event(v, 'airbag');
    // The largest PUBLISH the broker takes from a car: fixed header 1 + 3 length bytes, topic 2 + n, packet id 2.
    const size = stack.config.MQTT_MAX_PACKET_BYTES - (2 + Buffer.byteLength(topic) + 2);
    const huge = Buffer.alloc(size, 0x20);
    huge.write('{"v":1,"pad":"', 0);
    huge.write('"}', size - 2);
    const droppedBefore = (await stack.broker!.readStats()).oversizeDropped;
    const rejectedBefore = metricValue(await metrics(), 'anshin_ingest_rejections_total', { reason: 'payload_too_large' });

    await car.publish(topic, huge);
    // Its base64 would not fit in one packet: the letter keeps the first bytes and says how many of how many.
    const msg = await watch.next((m) => m.topic === topics.deadLetter && (JSON.parse(m.payload.toString()) as DeadLetter).topic === topic);
    expect(msg.payload.length).toBeLessThanOrEqual(stack.config.MQTT_MAX_PACKET_BYTES);
    const letter = JSON.parse(msg.payload.toString()) as DeadLetter;
    expect(Value.Check(DeadLetter, letter)).toBe(true);
    expect(letter.reason).toBe('payload_too_large');
    const kept = Buffer.from(letter.payload, 'base64');
    expect(kept.length).toBeGreaterThan(stack.config.MAX_PAYLOAD_BYTES);
    expect(huge.subarray(0, kept.length).equals(kept)).toBe(true);
    expect(letter.detail).toContain(`first ${kept.length} of ${size} bytes`);
    expect(metricValue(await metrics(), 'anshin_ingest_rejections_total', { reason: 'payload_too_large' })).toBe(rejectedBefore + 1);

    // The broker still takes cars: the letter it published in-process fitted one packet.
    expect((await stack.broker!.readStats()).oversizeDropped).toBe(droppedBefore);
    expect(stack.broker!.listening).toBe(true);
    await expectStillServing();
  });

  it('payload_too_large: one byte over the limit is refused, exactly the limit is accepted', async () => {
    const max = stack.config.MAX_PAYLOAD_BYTES;
    const padded = (v: string, size: number) => {
      const event = validEvent(v, 'sos', { pad: '' });
      const base = Buffer.byteLength(JSON.stringify(event));
      event.pad = 'x'.repeat(size - base);
      const b = bytes(event);
      expect(b.length).toBe(size);
      return { event, b };
    };
    const over = vin(17);
    await expectRejected(topics.event(over, 'sos'), padded(over, max + 1).b, 'payload_too_large', { vinToCheck: over });
    const exact = vin(18);
    const { event, b } = padded(exact, max);
    await car.publish(topics.event(exact, 'sos'), b);
    await feed.next((m) => m.type === 'case.opened' && (m as { case: Case }).case.eventId === event.eventId);
  });

  it('duplicate_event: the same event published again opens no second case', async () => {
    const v = vin(10);
    const event = validEvent(v, 'sos');
    const payload = bytes(event);
    await car.publish(topics.event(v, 'sos'), payload);
    const opened = await feed.next<{ type: 'case.opened'; case: Case }>((m) => m.type === 'case.opened' && m.case.eventId === event.eventId);
    await watch.next((m) => m.topic === topics.lockout(v));
    await settleCommands(v);
    const commandsBefore = (await stack.http('GET', `/v1/vehicles/${v}/commands`)).body as unknown[];
    const lockoutBefore = (await stack.http('GET', `/v1/vehicles/${v}/lockout`)).body as unknown;

    const letter = await expectRejected(topics.event(v, 'sos'), payload, 'duplicate_event');
    expect(letter.detail).toContain(String(event.eventId));
    const mine = (await allCases()).filter((c) => c.vin === v);
    expect(mine.map((c) => c.id)).toEqual([opened.case.id]);
    expect((await stack.http('GET', `/v1/vehicles/${v}/commands`)).body).toEqual(commandsBefore);
    expect((await stack.http('GET', `/v1/vehicles/${v}/lockout`)).body).toEqual(lockoutBefore);

    // The same eventId from the same car on another event type is the same event: refused too.
    await expectRejected(topics.event(v, 'airbag'), bytes({ ...event, type: 'airbag', data: { deployed: ['driver_front'] } }), 'duplicate_event');
    expect((await allCases()).filter((c) => c.vin === v)).toHaveLength(1);

    // The same eventId from another car is another event (ids are unique per car): it opens its case.
    const other = vin(19);
    await car.publish(topics.event(other, 'sos'), bytes({ ...event, vin: other }));
    const otherCase = await feed.next<{ type: 'case.opened'; case: Case }>((m) => m.type === 'case.opened' && m.case.vin === other);
    expect(otherCase.case.eventId).toBe(event.eventId);
  });

  it('duplicate_event: the same event delivered twice at once still opens one case', async () => {
    const v = vin(11);
    const event = validEvent(v, 'airbag');
    const payload = bytes(event);
    await Promise.all([car.publish(topics.event(v, 'airbag'), payload), car.publish(topics.event(v, 'airbag'), payload)]);
    await watch.next((m) => m.topic === topics.deadLetter && (JSON.parse(m.payload.toString()) as DeadLetter).reason === 'duplicate_event' && (JSON.parse(m.payload.toString()) as DeadLetter).detail === event.eventId);
    await feed.next((m) => m.type === 'case.opened' && (m as { case: Case }).case.eventId === event.eventId);
    const mine = (await allCases()).filter((c) => c.vin === v);
    expect(mine).toHaveLength(1);
    expect(feed.messages.filter((m) => m.type === 'case.opened' && (m as { case: Case }).case.vin === v)).toHaveLength(1);
  });

  it('unknown_command: an ack for a command never sent, or sent to another car', async () => {
    const v = vin(12);
    await expectRejected(topics.acks(v), bytes({ v: 1, commandId: 'NO-SUCH-COMMAND', ok: true }), 'unknown_command', { vinToCheck: v });

    // A real command sent to car A cannot be acknowledged by car B.
    const a = vin(13);
    const b = vin(14);
    const accepted = await stack.http('POST', `/v1/vehicles/${a}/remote-operations`, { operation: 'horn' });
    expect(accepted.status).toBe(202);
    const commandId = accepted.body.commandId as string;
    await settleCommands(a);
    await expectRejected(topics.acks(b), bytes({ v: 1, commandId, ok: true }), 'unknown_command', { vinToCheck: b });
    const commandsOfA = (await stack.http('GET', `/v1/vehicles/${a}/commands`)).body as Array<{ commandId: string; ack?: unknown }>;
    expect(commandsOfA.find((c) => c.commandId === commandId)?.ack).toBeUndefined();
  });

  it('an MQTT packet over MQTT_MAX_PACKET_BYTES: the broker drops that client, other cars are served', async () => {
    const neighbour = await stack.car(vin(20)); // a well-behaved car on the same broker
    const bully = await RawMqttClient.connect(stack.mqttUrl);
    const v = vin(15);
    const huge = Buffer.alloc(stack.config.MQTT_MAX_PACKET_BYTES + 1024, 0x41);
    const droppedBefore = (await stack.broker!.readStats()).oversizeDropped;
    const casesBefore = await allCases();
    bully.client.publish(topics.event(v, 'airbag'), huge, { qos: 0 });
    await bully.waitClosed();
    await bully.end();
    expect((await stack.broker!.readStats()).oversizeDropped).toBe(droppedBefore + 1);

    // Nothing of it reached the service; the broker and the other cars are fine.
    expect(stack.broker!.listening).toBe(true);
    expect(await allCases()).toEqual(casesBefore);
    expect(car.closed).toBe(false);
    expect(neighbour.connected).toBe(true);
    const eventId = await neighbour.pressSos();
    await feed.next((m) => m.type === 'case.opened' && (m as { case: Case }).case.eventId === eventId);
    await neighbour.waitFor((s) => s.kind === 'command' && s.command.cmd === 'call.state');
    await settleCommands(vin(20));
    await expectStillServing();
  });

  it('a remaining length of five bytes (malformed MQTT) drops that client at the wire, others are served', async () => {
    const droppedBefore = (await stack.broker!.readStats()).oversizeDropped;
    const socket = createConnection({ host: new URL(stack.mqttUrl).hostname, port: stack.broker!.port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.on('error', () => {});
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write(Buffer.from([0x30, 0x80, 0x80, 0x80, 0x80, 0x01]));
    await Promise.race([closed, new Promise((_, reject) => setTimeout(() => reject(new Error('the broker kept the connection')), 5_000))]);
    expect((await stack.broker!.readStats()).oversizeDropped).toBe(droppedBefore + 1);
    expect(stack.broker!.listening).toBe(true);
    await expectStillServing();
  });

  it('a car publishing to backend-only topics is refused: no subscriber receives it, nothing retained', async () => {
    const v = vin(16);
    const spy = await RawMqttClient.connect(stack.mqttUrl);
    await spy.subscribe([topics.commands(v), topics.lockout(v), topics.deadLetter, 'test/sentinel']);
    const forged = [
      { topic: topics.commands(v), payload: JSON.stringify({ v: 1, commandId: 'FORGED1', ts: new Date().toISOString(), cmd: 'wifi', enabled: true }) },
      { topic: topics.lockout(v), payload: JSON.stringify({ v: 1, vin: v, active: false, features: [], until: null }), retain: true },
      { topic: topics.deadLetter, payload: JSON.stringify({ topic: 'x', reason: 'malformed_json', receivedAt: new Date().toISOString(), payload: 'Rk9SR0VE' }) },
    ];
    const refusedBefore = (await stack.broker!.readStats()).forbiddenPublishes;
    for (const [i, f] of forged.entries()) {
      const rogue = await RawMqttClient.connect(stack.mqttUrl);
      // MQTT 3.1.1 has no refusal code for a publish: aedes closes the connection instead of a PUBACK.
      rogue.client.publish(f.topic, f.payload, { qos: 1, retain: f.retain ?? false });
      await rogue.waitClosed();
      await rogue.end();
      expect((await stack.broker!.readStats()).forbiddenPublishes).toBe(refusedBefore + i + 1);
    }
    // Nor through a Last Will: a car whose will names a backend-only topic and then drops off.
    const willPayload = JSON.stringify({ v: 1, vin: v, active: false, features: [], until: null, forgedBy: 'will' });
    const dying = await RawMqttClient.connect(stack.mqttUrl, { will: { topic: topics.lockout(v), payload: Buffer.from(willPayload), qos: 1, retain: true } });
    dying.client.stream.destroy();
    await dying.waitClosed();
    await dying.end();
    forged.push({ topic: topics.lockout(v), payload: willPayload, retain: true });
    await expect.poll(async () => (await stack.broker!.readStats()).forbiddenPublishes, { timeout: 5_000, message: 'the forged will was refused' }).toBeGreaterThanOrEqual(refusedBefore + forged.length);

    // A sentinel published after the refusals arrives; none of the forged messages did.
    const ok = await RawMqttClient.connect(stack.mqttUrl);
    await ok.publish('test/sentinel', 'after');
    await spy.next((m) => m.topic === 'test/sentinel');
    await ok.end();
    const leaked = spy.received.filter((m) => forged.some((f) => f.payload === m.payload.toString()));
    expect(leaked).toEqual([]);
    await spy.end();

    // A fresh subscriber gets no retained forged lockout either.
    const late = await RawMqttClient.connect(stack.mqttUrl);
    await late.subscribe([topics.lockout(v), 'test/sentinel2']);
    await late.publish('test/sentinel2', 'x');
    await late.next((m) => m.topic === 'test/sentinel2');
    expect(late.received.filter((m) => m.topic === topics.lockout(v))).toEqual([]);
    await late.end();
    await expectStillServing();
  });
});
