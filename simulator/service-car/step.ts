import type { ServiceCarStep } from '../../protocol/index.js';
import type { Clock } from '../../lib/clock/index.js';
import { getRoute } from '../routes/index.js';
import { SimulatedServiceCar, type ServiceCarArrival } from './service-car.js';

export interface ServiceCarStepContext {
  url: string;
  clock: Clock;
  username?: string | undefined;
  password?: string | undefined;
  ca?: string | undefined;
}

export interface RunningServiceCar {
  car: SimulatedServiceCar;
  /** Resolves when the car is at the scene and its last report is acknowledged. */
  arrived: Promise<ServiceCarArrival>;
  /** Stops it wherever it is and disconnects (a scenario's end). */
  stop(): Promise<void>;
  /** One line for a scenario report. */
  summary: string;
}

/**
 * A scenario step `serviceCar: {id, from, to, speedKmh, everyS?, route?}` (protocol `ServiceCarStep`):
 * connects the car and sets it driving; returns without waiting for the arrival, so the timeline goes
 * on while it drives (a step that waits for it can await `arrived`). For the scenario runner
 * (simulator/scenario/car-runner.ts; with AUTH on it passes the service car's password).
 */
export async function startServiceCarStep(step: ServiceCarStep, ctx: ServiceCarStepContext): Promise<RunningServiceCar> {
  const car = new SimulatedServiceCar({
    id: step.id,
    url: ctx.url,
    clock: ctx.clock,
    from: step.from,
    to: step.to,
    road: step.route !== undefined ? getRoute(step.route) : undefined,
    speedKmh: step.speedKmh,
    everyMs: (step.everyS ?? 5) * 1000,
    username: ctx.username,
    password: ctx.password,
    ca: ctx.ca,
  });
  await car.connect();
  const arrived = car.drive();
  arrived.catch(() => {}); // a caller that never awaits it must not see an unhandled rejection
  return {
    car,
    arrived,
    stop: () => car.end(),
    summary: `service car ${step.id}: ${car.lengthKm.toFixed(2)} km to the scene at ${step.speedKmh} km/h${step.route ? ` by ${step.route}` : ''}`,
  };
}
