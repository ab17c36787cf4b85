import { monotonicFactory } from 'ulid';
import { topics } from '../../../protocol/index.js';
import { buildEvent } from '../../../simulator/car/payloads.js';
import { fleetVin } from '../../../simulator/fleet/vins.js';
import { ChaosCar } from './car.js';
import { Ledger } from './ledger.js';

export interface LoadParams {
  cars: number;
  events: number;
  /** All events handed to the cars at once; else spread evenly over `paceMs`. */
  burst: boolean;
  paceMs: number;
  subscribeCommands: boolean;
  /** The cars' MQTT keep-alive in seconds (default 30). */
  keepaliveS?: number;
}

/** One publish of the load: which car, what, and a tag saying what kind of event it is. */
export interface PlannedEvent {
  car: number;
  eventId: string;
  topic: string;
  payload: string;
  /** `crash` for a valid emergency event; other kinds (poison) name themselves. */
  tag: string;
}

/** Seed of the fleet's VINs (`JANSH` + seed tag + index, simulator/fleet/vins.ts). */
const VIN_SEED = 2_026;
export const newEventId = monotonicFactory();
const wallMs = () => performance.timeOrigin + performance.now();

/** A valid airbag event of the contract for `vin` (protocol/events.ts), as the car's payload. */
export function airbagEvent(vin: string, car: number, eventId: string): { topic: string; payload: string } {
  const event = buildEvent({
    vin,
    type: 'airbag',
    eventId,
    nowMs: wallMs(),
    position: { lat: 35.6812 + car * 1e-4, lon: 139.7671, headingDeg: 90, trusted: true },
    data: { deployed: ['driver_front', 'passenger_front'], deltaVKmh: 40 },
    occupants: 1,
  });
  return { topic: topics.event(vin, 'airbag'), payload: JSON.stringify(event) };
}

/** The fault matrix's load: `events` airbag events round the cars (event i is car i mod N's). */
export function airbagPlan(vins: string[], params: LoadParams): PlannedEvent[] {
  return Array.from({ length: params.events }, (_, i) => {
    const car = i % vins.length;
    const eventId = newEventId();
    return { car, eventId, tag: 'crash', ...airbagEvent(vins[car]!, car, eventId) };
  });
}

/** The fleet of one run and the events it will send, every one recorded in the ledger up front. */
export class Load {
  readonly cars: ChaosCar[];
  readonly ledger: Ledger;
  readonly plan: PlannedEvent[];
  private stopped = false;
  startedAtMs: number | null = null;
  finishedAtMs: number | null = null;

  constructor(
    readonly params: LoadParams,
    carUrl: (i: number) => string,
    t0: number,
    planEvents: (vins: string[], params: LoadParams) => PlannedEvent[] = airbagPlan,
  ) {
    this.ledger = new Ledger(t0);
    this.cars = Array.from(
      { length: params.cars },
      (_, i) => new ChaosCar({ vin: fleetVin(VIN_SEED, i), index: i, url: carUrl(i), ledger: this.ledger, subscribeCommands: params.subscribeCommands, reconnectPeriodMs: 250, keepaliveS: params.keepaliveS }),
    );
    this.plan = planEvents(
      this.cars.map((c) => c.vin),
      params,
    );
    for (const [index, e] of this.plan.entries()) this.ledger.add({ index, eventId: e.eventId, vin: this.cars[e.car]!.vin, car: e.car, tag: e.tag });
  }

  /** Every car has its first CONNACK (and its commands subscription). */
  async connectAll(timeoutMs: number): Promise<void> {
    await Promise.all(this.cars.map((c) => c.ready(timeoutMs)));
  }

  /** Hands the events to the cars (all at once, or paced); resolves when the last one was handed over. */
  async run(): Promise<void> {
    const { burst, paceMs } = this.params;
    const n = this.plan.length;
    const start = performance.now();
    this.startedAtMs = this.ledger.now();
    for (let i = 0; i < n && !this.stopped; i++) {
      if (!burst) {
        const wait = start + (i * paceMs) / n - performance.now();
        if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      }
      const rec = this.ledger.records[i]!;
      const { topic, payload } = this.plan[i]!;
      this.cars[rec.car]!.publish(rec, topic, payload);
    }
    this.finishedAtMs = this.ledger.now();
  }

  stop(): void {
    this.stopped = true;
  }

  reconnects(): number {
    return this.cars.reduce((n, c) => n + Math.max(0, c.connects - 1), 0);
  }

  pubacksOnWire(): number {
    return this.cars.reduce((n, c) => n + c.pubacksOnWire, 0);
  }

  async end(): Promise<void> {
    this.stop();
    await Promise.all(this.cars.map((c) => c.end()));
  }
}
