import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventSchemas, parseTopic, topics, validator } from '../../protocol/index.js';
import { startRecorder, startTestBroker, type Recorder, type TestBroker } from '../helpers/sim-broker.js';
import { runCli } from '../helpers/sim-cli.js';

const VIN = 'JHMZE2H59ES000002';
let broker: TestBroker;
let backend: Recorder;

beforeAll(async () => {
  broker = await startTestBroker();
  backend = await startRecorder(broker.url);
  // A stand-in backend: answers every event with a ringing call.state (D2.5: audio muted).
  backend.client.on('message', (topic, buf) => {
    const t = parseTopic(topic);
    if (t.kind !== 'event') return;
    const ev = JSON.parse(buf.toString()) as { eventId: string };
    void backend.client.publishAsync(
      topics.commands(t.vin),
      JSON.stringify({ v: 1, commandId: `cmd-${ev.eventId}`, ts: new Date().toISOString(), cmd: 'call.state', sessionId: 'S1', state: 'ringing', audioMuted: true }),
      { qos: 1 },
    );
  });
});
afterAll(async () => {
  await backend.end();
  await broker.stop();
});

describe('anshin sim fire', () => {
  it('fires an impact, prints the eventId and the call.state it received, exits 0', async () => {
    const r = await runCli(['sim', 'fire', 'impact', '--vin', VIN, '--url', broker.url, '--delta-v', '38', '--no-position', '--wait-ms', '500']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const eventId = /^eventId (\S+)$/m.exec(r.stdout)?.[1];
    expect(eventId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(r.stdout).toMatch(/call\.state .*"state":"ringing"/);
    const m = await backend.waitFor((x) => x.topic === topics.event(VIN, 'impact'));
    expect(validator(EventSchemas.impact).check(m.payload)).toBe(true);
    expect(m.payload).toMatchObject({ eventId, position: null, data: { deltaVKmh: 38, direction: 'front' } });
  });

  it('--json prints one object; --test marks the event', async () => {
    const r = await runCli(['sim', 'fire', 'sos', '--vin', VIN, '--url', broker.url, '--test', '--wait-ms', '300', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { eventId: string; received: { cmd: string }[] };
    expect(out.received.map((c) => c.cmd)).toContain('call.state');
    const m = await backend.waitFor((x) => (x.payload as { eventId?: string }).eventId === out.eventId);
    expect(m.payload).toMatchObject({ type: 'sos', test: true });
  });

  it('a bad VIN or an unknown type is a usage error: clear message, exit 2', async () => {
    const bad = await runCli(['sim', 'fire', 'airbag', '--vin', 'JHMZE2H59ES00000I', '--url', broker.url]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/VIN is 17 characters/);
    const type = await runCli(['sim', 'fire', 'explosion', '--vin', VIN, '--url', broker.url]);
    expect(type.code).toBe(2);
    expect(type.stderr).toMatch(/expected one of airbag, impact, sos/);
  });

  it('an unreachable broker fails with exit 1 and a message, not a hang', async () => {
    const r = await runCli(['sim', 'fire', 'sos', '--vin', VIN, '--url', 'mqtt://127.0.0.1:1', '--wait-ms', '0', '--connect-timeout-ms', '1000']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no connection/);
  }, 20_000);
});
