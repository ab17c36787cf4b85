import { SimulatedCar, type CarSignal } from '../simulator/car/index.js';
import type { Stack } from '../services/stack.js';

const CARS = {
  airbag: 'JT2AE92E3K0000001',
  sos: 'JT2AE92E3K0000002',
  trouble: 'JT2AE92E3K0000003',
};

/**
 * `npm run demo`: three simulated cars on the embedded stack. One has a crash (airbag), one presses
 * SOS, one presses the trouble button; an operator answers and hangs up; the airbag car then tries the
 * trouble button during its lockout and is refused (D3.1). Cars log every command they obey.
 */
export async function runDemo(stack: Stack): Promise<() => Promise<void>> {
  const log = stack.logger.child({ component: 'demo' });
  const cars = Object.entries(CARS).map(([role, vin], i) => {
    const car = new SimulatedCar({ vin, url: stack.mqttUrl, clock: stack.clock, seed: i + 1 });
    car.signals.on('signal', (s: CarSignal) => {
      if (s.kind === 'command') log.info({ vin, role, command: s.command }, `car ${vin} (${role}) obeys ${s.command.cmd}`);
      if (s.kind === 'lockout') log.info({ vin, role, lockout: s.lockout }, `car ${vin} (${role}) lockout ${s.lockout.active ? 'on: ' + s.lockout.features.join(', ') : 'off'}`);
    });
    return car;
  });
  await Promise.all(cars.map((c) => c.connect()));
  const [airbagCar, sosCar, troubleCar] = cars as [SimulatedCar, SimulatedCar, SimulatedCar];
  const pause = (ms: number) => new Promise<void>((r) => stack.clock.setTimer(ms, r));
  const api = async (path: string, body: unknown = {}) => {
    const res = await fetch(`${stack.httpUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-operator-id': 'demo-operator', ...(stack.config.API_TOKEN ? { authorization: `Bearer ${stack.config.API_TOKEN}` } : {}) },
      body: JSON.stringify(body),
    });
    return (await res.json()) as { id: string; sessionId: string };
  };

  log.info(`demo: console at ${stack.httpUrl}/ , live feed at ${stack.httpUrl.replace('http', 'ws')}/v1/operator/ws`);
  await airbagCar.airbag({ data: { deployed: ['driver_front', 'passenger_front'], deltaVKmh: 42 } });
  await pause(800);
  await sosCar.pressSos();
  await pause(800);
  await troubleCar.pressTrouble({ data: { warningLamps: ['battery'] } });
  await pause(1500);

  const [sosCase] = (await stack.store.listCases('open')).filter((c) => c.vin === CARS.sos);
  if (sosCase) {
    await api(`/v1/cases/${sosCase.id}/answer`);
    await pause(1000);
    await api(`/v1/cases/${sosCase.id}/hangup`);
  }
  await pause(800);
  // D2.2: the airbag car's call is operator-only; its trouble button cannot hang it up.
  await airbagCar.pressTrouble();
  await pause(800);
  // D3.1: the SOS car's call is cleared but its lockout runs on: the trouble button is unavailable.
  await sosCar.pressTrouble();
  log.info('demo: calls placed; the cases wait in the console. Ctrl-C to stop.');
  return async () => {
    await Promise.all(cars.map((c) => c.end()));
  };
}
