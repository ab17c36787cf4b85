import type { MaybePosition } from '../../protocol/index.js';
import type { SimulatedCar } from '../../simulator/car/index.js';

/** What a fixture scenario may do: cars, operator actions over HTTP, and virtual time. */
export interface ScenarioContext {
  car(n: number, position?: MaybePosition): Promise<SimulatedCar>;
  /** An operator action over the HTTP API on the case opened by `eventId`. */
  op(action: 'answer' | 'hangup' | 'callback' | 'close', car: SimulatedCar, eventId: string, close?: { resolution: string; note?: string }): Promise<void>;
  /** Moves the stack's virtual clock (lockout expiries fire), then waits until the broker is quiet. */
  advance(ms: number): Promise<void>;
  /** Waits until nothing has been published for a moment. */
  quiet(): Promise<void>;
}

export interface FixtureScenario {
  name: string;
  rules: string;
  run(ctx: ScenarioContext): Promise<void>;
}

const S = 1000;
const M = 60 * S;
const TOMEI_GOTEMBA: MaybePosition = { lat: 35.2995, lon: 138.9354, headingDeg: 250, trusted: true };
const MEISHIN_SEKIGAHARA: MaybePosition = { lat: 35.3631, lon: 136.4669, headingDeg: 270, trusted: true };
const SHINJUKU: MaybePosition = { lat: 35.6896, lon: 139.7006, headingDeg: 0, trusted: true };

/**
 * The built-in scenarios (issue 4 part 4) as steps, for recording the trace fixtures. The scenario
 * YAML files of `anshin sim run` describe the same timelines; these are what the fixtures were
 * recorded with (see tests/fixtures/traces/README.md).
 */
export const FIXTURE_SCENARIOS: FixtureScenario[] = [
  {
    name: 'highway-airbag-no-response',
    rules: 'D1.1 D2.2 D2.6 D3.1 D4.2',
    async run({ car, op, advance, quiet }) {
      const a = await car(1, TOMEI_GOTEMBA);
      a.speedKmh = 96;
      await advance(2 * S);
      const ev = await a.airbag({ occupants: 2, data: { deployed: ['driver_front', 'passenger_front', 'curtain_left'], deltaVKmh: 52 } });
      await quiet();
      await advance(15 * S);
      await op('answer', a, ev);
      await advance(90 * S); // no response: the operator takes the position and calls 119 / 110 (D4.2)
      await op('hangup', a, ev);
      await advance(60 * S);
      await op('callback', a, ev); // D2.6
      await advance(45 * S);
      await op('hangup', a, ev);
      await advance(30 * S);
      await op('close', a, ev, { resolution: 'no_response_fire_police_dispatched', note: 'no voice from the car; position relayed to 119 and 110' });
    },
  },
  {
    name: 'sos-illness',
    rules: 'D1.3 D2.5 D3.2',
    async run({ car, op, advance, quiet }) {
      const b = await car(2, SHINJUKU);
      await advance(1 * S);
      const ev = await b.pressSos({ occupants: 1 });
      await quiet();
      await advance(10 * S);
      await op('answer', b, ev);
      await advance(3 * M);
      await op('hangup', b, ev);
      await advance(30 * S);
      await op('close', b, ev, { resolution: 'ambulance_dispatched', note: 'sudden illness; relayed to 119' });
    },
  },
  {
    name: 'accidental-sos',
    rules: 'D1.3 D2.3',
    async run({ car, op, advance, quiet }) {
      const c = await car(3, SHINJUKU);
      await advance(1 * S);
      const ev = await c.pressSos();
      await quiet();
      await advance(5 * S);
      await op('answer', c, ev);
      await advance(20 * S);
      await c.pressTrouble(); // D2.3: the trouble button again hangs up an SOS call from the car
      await quiet();
      await advance(10 * S);
      await op('close', c, ev, { resolution: 'accidental', note: 'pressed by mistake, told the operator' });
    },
  },
  {
    name: 'trouble-battery-tow',
    rules: 'D1.4 D3.3 D4.4',
    async run({ car, op, advance, quiet }) {
      const d = await car(4, MEISHIN_SEKIGAHARA);
      d.warningLamps = ['battery', 'charging_system'];
      await advance(1 * S);
      const ev = await d.pressTrouble();
      await quiet();
      await advance(8 * S);
      await op('answer', d, ev);
      await advance(2 * M);
      await op('hangup', d, ev);
      await advance(20 * S);
      await op('close', d, ev, { resolution: 'road_service_tow', note: 'battery failed; tow to the registered dealer' });
      await advance(5 * S);
      await d.securityAlarm('intrusion'); // D3.3: nothing locked out, so the alarm is delivered
      await quiet();
    },
  },
  {
    name: 'impact-below-threshold',
    rules: 'D1.2',
    async run({ car, advance, quiet }) {
      const e = await car(5, TOMEI_GOTEMBA);
      await advance(1 * S);
      e.sendTelemetry();
      await e.impact(5, 'rear');
      await quiet();
      await advance(30 * S);
      await e.impact(7.9, 'front');
      await quiet();
      await advance(10 * S);
      e.sendTelemetry();
      await quiet();
    },
  },
  {
    name: 'power-off-during-call',
    rules: 'D2.4 D3.2',
    async run({ car, op, advance, quiet }) {
      const f = await car(6, SHINJUKU);
      await f.setPower('on');
      await advance(1 * S);
      const ev = await f.pressSos();
      await quiet();
      await advance(10 * S);
      await op('answer', f, ev);
      await advance(30 * S);
      await f.setPower('off'); // D2.4: the call drops
      await quiet();
      await advance(20 * S);
      await op('close', f, ev, { resolution: 'call_dropped_power_off' });
    },
  },
  {
    name: 'trouble-during-lockout',
    rules: 'D1.2 D3.1 D3.5',
    async run({ car, op, advance, quiet }) {
      const g = await car(7, MEISHIN_SEKIGAHARA);
      await advance(1 * S);
      const ev = await g.impact(30, 'front');
      await quiet();
      await advance(10 * S);
      await op('answer', g, ev);
      await advance(2 * M);
      await op('hangup', g, ev);
      await advance(10 * M);
      await g.pressTrouble(); // D3.1: unavailable during the lockout
      await quiet();
      await advance(5 * M);
      await g.securityAlarm('intrusion'); // D3.1: suppressed
      await quiet();
      await advance(1 * M);
      await op('close', g, ev, { resolution: 'road_service_arranged' });
    },
  },
  {
    name: 'lockout-expiry',
    rules: 'D3.2 D3.5',
    async run({ car, op, advance, quiet }) {
      const h = await car(8, SHINJUKU);
      await advance(1 * S);
      const ev = await h.pressSos();
      await quiet();
      await advance(10 * S);
      await op('answer', h, ev);
      await advance(1 * M);
      await op('hangup', h, ev);
      await advance(10 * S);
      await op('close', h, ev, { resolution: 'advice_given' });
      await advance(60 * M); // D3.5: 60 minutes after clear-down the lockout ends, Wi-Fi comes back (D3.2)
      await advance(1 * M);
      const ev2 = await h.pressTrouble(); // available again: opens a trouble case
      await quiet();
      await advance(5 * S);
      await op('answer', h, ev2);
      await advance(1 * M);
      await op('hangup', h, ev2);
      await op('close', h, ev2, { resolution: 'advice_given' });
    },
  },
  {
    name: 'earthquake-storm',
    rules: 'D1.1 D1.2 (1,000 crashes within one second)',
    async run({ car, op, advance, quiet }) {
      const cars: SimulatedCar[] = [];
      for (let i = 0; i < 1000; i += 50) cars.push(...(await Promise.all(Array.from({ length: 50 }, (_, j) => car(1000 + i + j)))));
      await quiet();
      await advance(1 * S);
      const fired: Promise<string>[] = [];
      for (const [i, c] of cars.entries()) {
        fired.push(i % 3 === 0 ? c.airbag() : c.impact(10 + (i % 40), i % 2 ? 'front' : 'left'));
        await advance(1); // 1,000 crashes within one second
      }
      const ids = await Promise.all(fired);
      await quiet();
      await advance(20 * S);
      for (const i of [0, 1, 2]) await op('answer', cars[i]!, ids[i]!);
    },
  },
];
