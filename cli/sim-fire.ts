import { Option, type Command as CliCommand } from 'commander';
import { EVENT_TYPES, type Command, type EventType, type LockoutMessage, type ImpactDirection, type PowerMode } from '../protocol/index.js';
import { SystemClock } from '../lib/clock/index.js';
import { SimulatedCar, type CarSignal, type FireOptions } from '../simulator/car/index.js';
import { cliLogger } from './logger.js';
import { DEFAULT_MQTT_URL, parseEventType, parseInteger, parseNonNegative, parseVin } from './options.js';

interface FireCliOptions {
  vin: string;
  url: string;
  deltaV?: number;
  direction: ImpactDirection;
  mode: PowerMode;
  kind: string;
  test?: boolean;
  position: boolean;
  waitMs: number;
  seed?: number;
  json?: boolean;
  connectTimeoutMs: number;
}

export function registerSimFire(sim: CliCommand): void {
  sim
    .command('fire')
    .description('connect one car, fire one event, print its eventId and the commands received after it')
    .argument('<type>', `event type: ${EVENT_TYPES.join(', ')}`, parseEventType)
    .requiredOption('--vin <vin>', 'the car (17 characters, ISO 3779)', parseVin)
    .option('--url <url>', 'MQTT broker', DEFAULT_MQTT_URL)
    .option('--delta-v <kmh>', 'delta-V in km/h (impact, airbag)', parseNonNegative)
    .addOption(new Option('--direction <dir>', 'impact direction').choices(['front', 'rear', 'left', 'right', 'rollover']).default('front'))
    .addOption(new Option('--mode <mode>', 'power mode (power events)').choices(['off', 'acc', 'on']).default('off'))
    .option('--kind <kind>', 'alarm kind (security-alarm events)', 'intrusion')
    .option('--test', 'mark the event as an eCall test call (no lockout)')
    .option('--no-position', 'send position null (D2.7: the operator asks the caller)')
    .option('--wait-ms <ms>', 'how long to listen for commands after the PUBACK', parseNonNegative, 2000)
    .option('--seed <n>', 'PRNG seed (default: from the VIN)', parseInteger)
    .option('--json', 'print one JSON object instead of text')
    .option('--connect-timeout-ms <ms>', 'give up when the broker does not answer', parseNonNegative, 5000)
    .action(async (type: EventType, o: FireCliOptions) => {
      const clock = new SystemClock();
      const car = new SimulatedCar({ vin: o.vin, url: o.url, clock, logger: cliLogger(), connectTimeoutMs: o.connectTimeoutMs, ...(o.seed !== undefined ? { seed: o.seed } : {}) });
      const received: Received[] = [];
      car.signals.on('signal', (s: CarSignal) => {
        if (s.kind === 'command') received.push(s.command);
        if (s.kind === 'lockout') received.push({ cmd: 'lockout(retained)', ...s.lockout });
      });
      try {
        await car.connect();
        const eventId = await fireOne(car, type, o);
        await new Promise<void>((resolve) => clock.setTimer(o.waitMs, resolve));
        print(o, type, eventId, received);
      } finally {
        await car.end();
      }
    });
}

function fireOne(car: SimulatedCar, type: EventType, o: FireCliOptions): Promise<string> {
  const common: FireOptions = { ...(o.test ? { test: true } : {}), ...(o.position ? {} : { position: null }) };
  switch (type) {
    case 'impact':
      return car.impact(o.deltaV ?? 30, o.direction, common as FireOptions<'impact'>);
    case 'airbag':
      return car.fire('airbag', { ...common, data: { deployed: ['driver_front', 'passenger_front'], ...(o.deltaV !== undefined ? { deltaVKmh: o.deltaV } : {}) } } as FireOptions<'airbag'>);
    case 'power':
      return car.setPower(o.mode, common as FireOptions<'power'>);
    case 'security-alarm':
      return car.securityAlarm(o.kind, common as FireOptions<'security-alarm'>);
    default:
      return car.fire(type, common);
  }
}

type Received = Command | ({ cmd: 'lockout(retained)' } & LockoutMessage);

function print(o: FireCliOptions, type: EventType, eventId: string, items: Received[]): void {
  if (o.json) {
    process.stdout.write(`${JSON.stringify({ vin: o.vin, type, eventId, received: items })}\n`);
    return;
  }
  const lines = [`eventId ${eventId}`, `${type} from ${o.vin}; received within ${o.waitMs} ms: ${items.length}`];
  for (const it of items) {
    const { cmd, ...rest } = it;
    lines.push(`  ${cmd} ${JSON.stringify(rest)}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
