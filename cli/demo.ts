import { SimulatedCar, type CarSignal } from '../simulator/car/index.js';
import type { Stack } from '../services/stack.js';
import { DEMO_OPERATOR, demoAccess } from './demo-auth.js';

const CARS = {
  airbag: 'JT2AE92E3K0000001',
  sos: 'JT2AE92E3K0000002',
  trouble: 'JT2AE92E3K0000003',
};

/** Thrown by a step of a demo that was stopped meanwhile (Ctrl-C): the script ends quietly. */
class DemoStopped extends Error {}

export interface Demo {
  /** The script ran to its end (or was stopped: that is no failure). */
  done: Promise<void>;
  /** Ends the cars; the script stops at its next step. */
  stop(): Promise<void>;
}

/**
 * `npm run demo`: three simulated cars on the embedded stack. With AUTH on (the demo's default) they
 * get their MQTT credentials first and a `demo` operator account is made and printed (demo-auth.ts).
 * One car has a crash (airbag), one presses SOS, one presses the trouble button; the operator answers
 * and hangs up; the airbag car then tries the trouble button during its call and the SOS car during
 * its lockout, and both are refused (D2.2, D3.1). Cars log every command they obey.
 */
export function runDemo(stack: Stack, admin: { adminPassword?: string; startedAt: number } = { startedAt: Date.now() }): Demo {
  const log = stack.logger.child({ component: 'demo' });
  let stopped = false;
  const cars: SimulatedCar[] = [];
  const step = <T>(p: Promise<T>): Promise<T> => {
    if (!stopped) return p;
    p.catch(() => {}); // already under way: its end no longer matters
    return Promise.reject(new DemoStopped());
  };
  const pause = (ms: number) => step(new Promise<void>((r) => stack.clock.setTimer(ms, r)));

  const script = async () => {
    const access = await demoAccess(stack, Object.values(CARS), admin);
    for (const [i, [role, vin]] of Object.entries(CARS).entries()) {
      const password = access.passwords.get(vin);
      const car = new SimulatedCar({ vin, url: stack.mqttUrl, clock: stack.clock, seed: i + 1, ...(password ? { password } : {}) });
      car.signals.on('signal', (s: CarSignal) => {
        if (s.kind === 'command') log.info({ vin, role, command: s.command }, `car ${vin} (${role}) obeys ${s.command.cmd}`);
        if (s.kind === 'lockout') log.info({ vin, role, lockout: s.lockout }, `car ${vin} (${role}) lockout ${s.lockout.active ? 'on: ' + s.lockout.features.join(', ') : 'off'}`);
      });
      cars.push(car);
    }
    if (stopped) throw new DemoStopped();
    await step(Promise.all(cars.map((c) => c.connect())));
    const [airbagCar, sosCar, troubleCar] = cars as [SimulatedCar, SimulatedCar, SimulatedCar];
    const api = async (path: string) => {
      const res = await step(fetch(`${stack.httpUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...access.headers }, body: '{}' }));
      if (!res.ok) log.warn(`demo: POST ${path} answered ${res.status}: ${await res.text()}`);
      else await res.body?.cancel();
    };

    log.info(`demo: console at ${stack.httpUrl}/ , live feed at ${stack.httpUrl.replace('http', 'ws')}/v1/operator/ws`);
    await step(airbagCar.airbag({ data: { deployed: ['driver_front', 'passenger_front'], deltaVKmh: 42 } }));
    await pause(800);
    await step(sosCar.pressSos());
    await pause(800);
    await step(troubleCar.pressTrouble({ data: { warningLamps: ['battery'] } }));
    await pause(1500);

    const [sosCase] = (await step(stack.store.listCases('open'))).filter((c) => c.vin === CARS.sos);
    if (sosCase) {
      await api(`/v1/cases/${sosCase.id}/answer`);
      await pause(1000);
      await api(`/v1/cases/${sosCase.id}/hangup`);
    }
    await pause(800);
    // D2.2: the airbag car's call is operator-only; its trouble button cannot hang it up.
    await step(airbagCar.pressTrouble());
    await pause(800);
    // D3.1: the SOS car's call is cleared but its lockout runs on: the trouble button is unavailable.
    await step(sosCar.pressTrouble());
    const login = stack.config.AUTH === 'on' ? ` (log in as ${DEMO_OPERATOR} with the password printed above)` : '';
    log.info(`demo: calls placed; the cases wait in the console${login}. Ctrl-C to stop.`);
  };

  const done = script().catch((err: unknown) => {
    if (stopped || err instanceof DemoStopped) return;
    throw err;
  });
  return {
    done,
    async stop() {
      stopped = true;
      await Promise.all(cars.map((c) => c.end()));
    },
  };
}
