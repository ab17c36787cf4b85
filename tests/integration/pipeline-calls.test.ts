import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCommand } from '../../simulator/car/index.js';
import { topics, type Case, type SecurityAlert } from '../../protocol/index.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';
import { vin } from '../helpers/vins.js';

describe('SOS, trouble, test-call, power and alarm paths (embedded broker, real sockets)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => stack.close());

  /** The open case of a car, once the service has it (the feed itself is tested in feed.test.ts). */
  const openedFor = async (v: string): Promise<{ case: Case }> => {
    let found: Case | undefined;
    await expect.poll(async () => (found = ((await stack.http('GET', '/v1/cases?status=open')).body as Case[]).find((c) => c.vin === v))).toBeDefined();
    return { case: found! };
  };

  it('D1.3 D2.3 D3.2: SOS locks Wi-Fi too; the trouble button hangs up the SOS call; Wi-Fi stays locked 60 min', async () => {
    const car = await stack.car(vin(10));
    await car.pressSos();
    const { case: c } = await openedFor(vin(10));
    expect(c).toMatchObject({ trigger: 'sos', priority: 2 });
    expect(c.lockout.features).toEqual(expect.arrayContaining(['wifi', 'app_center']));
    await car.signals.waitFor(isCommand('wifi', (w) => w.enabled === false));

    const wifi = await stack.http('PUT', `/v1/vehicles/${vin(10)}/wifi`, { enabled: true });
    expect(wifi.status).toBe(423);
    expect(wifi.body.feature).toBe('wifi');

    await car.pressTrouble(); // D2.3: pressing the trouble button again hangs up an SOS call
    await car.signals.waitFor(isCommand('call.state', (s) => s.state === 'cleared'));
    const session = await stack.http('GET', `/v1/sessions/${c.sessionId}`);
    expect(session.body).toMatchObject({ state: 'cleared', clearedBy: 'vehicle', hangupPolicy: 'either' });
    const lockout = await stack.http('GET', `/v1/vehicles/${vin(10)}/lockout`);
    expect(lockout.body.features).toContain('wifi');
    expect(Date.parse(lockout.body.until) - Date.parse(session.body.clearedAt)).toBe(60 * 60_000);

    // D3.1: with the call cleared and the lockout running, the trouble button opens no case.
    await car.pressTrouble();
    const notice = await car.signals.waitFor(isCommand('notice', (n) => n.code === 'trouble_button_unavailable'));
    expect(notice.command).toMatchObject({ until: lockout.body.until });
    const open = await stack.http('GET', '/v1/cases?status=open');
    expect(open.body.filter((x: Case) => x.vin === vin(10))).toHaveLength(1);
  });

  it('D1.4 D3.3: a trouble call locks nothing, and remote operations still work', async () => {
    const car = await stack.car(vin(11));
    await car.pressTrouble({ data: { warningLamps: ['battery'] } });
    const { case: c } = await openedFor(vin(11));
    expect(c).toMatchObject({ trigger: 'trouble', priority: 3, data: { warningLamps: ['battery'] } });
    expect(c.lockout).toMatchObject({ active: false, features: [] });
    const op = await stack.http('POST', `/v1/vehicles/${vin(11)}/remote-operations`, { operation: 'hazard_lights' });
    expect(op.status).toBe(202);
    const cmd = await car.signals.waitFor(isCommand('remote', (r) => r.operation === 'hazard_lights'));
    expect(cmd.command.commandId).toBe(op.body.commandId);
    // The car acks every command; the ack is recorded against it.
    await expect.poll(async () => (await stack.http('GET', `/v1/vehicles/${vin(11)}/commands`)).body.find((r: { commandId: string }) => r.commandId === op.body.commandId)?.ack?.ok).toBe(true);
  });

  it('contract test flag: a test call reaches the queue marked test and locks nothing', async () => {
    const car = await stack.car(vin(12));
    await car.airbag({ test: true });
    const { case: c } = await openedFor(vin(12));
    expect(c).toMatchObject({ test: true, trigger: 'airbag', priority: 1 });
    expect((await stack.http('GET', `/v1/vehicles/${vin(12)}/lockout`)).body.active).toBe(false);
  });

  it('D2.4: power mode OFF during a call drops it (clearedBy power_off)', async () => {
    const car = await stack.car(vin(13));
    await car.impact(35, 'front');
    const { case: c } = await openedFor(vin(13));
    expect(c).toMatchObject({ trigger: 'impact', priority: 1, data: { deltaVKmh: 35, direction: 'front' } });
    await car.setPower('off');
    await car.signals.waitFor(isCommand('call.state', (s) => s.state === 'cleared'));
    expect((await stack.http('GET', `/v1/sessions/${c.sessionId}`)).body).toMatchObject({ state: 'cleared', clearedBy: 'power_off' });
  });

  it('D1.2: an impact below 8 km/h is recorded, not escalated', async () => {
    const car = await stack.car(vin(14));
    await car.impact(5, 'rear');
    await expect.poll(async () => (await stack.http('GET', `/v1/vehicles/${vin(14)}/impacts`)).body).toEqual([
      expect.objectContaining({ deltaVKmh: 5, escalated: false, direction: 'rear' }),
    ]);
    expect((await stack.http('GET', '/v1/cases?status=open')).body.filter((x: Case) => x.vin === vin(14))).toEqual([]);
  });

  it('D3.1: security alarms are delivered to the partner topic, and suppressed during a lockout', async () => {
    const partner = await mqtt.connectAsync(stack.mqttUrl);
    const received: SecurityAlert[] = [];
    partner.on('message', (_t, p) => received.push(JSON.parse(p.toString())));
    await partner.subscribeAsync(topics.partnerAlarm('+'), { qos: 1 });
    const car = await stack.car(vin(15));
    await car.securityAlarm('intrusion');
    await expect.poll(() => received.length).toBe(1);
    await car.airbag();
    await car.signals.waitFor((s) => s.kind === 'lockout' && s.lockout.active);
    await car.securityAlarm('glass_break');
    await expect.poll(async () => (await stack.http('GET', `/v1/vehicles/${vin(15)}/security-alerts`)).body.map((a: SecurityAlert) => a.status)).toEqual([
      'delivered',
      'suppressed',
    ]);
    expect(received.map((a) => a.kind)).toEqual(['intrusion']);
    await partner.endAsync();
  });

  it('D2.6: call-back only after clear-down; the car is told and the call is connected again', async () => {
    const car = await stack.car(vin(16));
    await car.pressSos();
    const { case: c } = await openedFor(vin(16));
    const early = await stack.http('POST', `/v1/cases/${c.id}/callback`, {});
    expect(early.status).toBe(409);
    expect(early.body.error).toBe('call_active');
    expect((await stack.http('POST', `/v1/cases/${c.id}/close`, { resolution: 'advice_given' })).body.error).toBe('call_active');
    await stack.http('POST', `/v1/cases/${c.id}/answer`, {});
    await stack.http('POST', `/v1/cases/${c.id}/hangup`, {});
    const back = await stack.http('POST', `/v1/cases/${c.id}/callback`, {});
    expect(back.status).toBe(200);
    await car.signals.waitFor(isCommand('callback', (cb) => cb.sessionId === c.sessionId));
    const session = (await stack.http('GET', `/v1/sessions/${c.sessionId}`)).body;
    expect(session.state).toBe('connected');
    expect(session.callbacks).toHaveLength(1);
  });
});
