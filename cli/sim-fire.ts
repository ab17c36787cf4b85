import { InvalidArgumentError, Option, type Command } from 'commander';
import { EVENT_TYPES, type EventType } from '../protocol/events.js';
import type { FireCliOptions } from './actions/sim-fire.js';
import { addCredentialOptions } from './credential-options.js';
import { reachable } from './reach.js';
import { DEFAULT_HTTP_URL, DEFAULT_MQTT_URL, parseEventType, parseHttpUrl, parseInteger, parseMqttUrl, parseNonNegative, parseVin } from './options.js';

export function registerSimFire(sim: Command): void {
  const cmd = sim
    .command('fire')
    .description('connect one car, fire one event, print its eventId, the case it opened and the commands received after it')
    .argument('<type>', `event type: ${EVENT_TYPES.join(', ')}`, parseEventType)
    .requiredOption('--vin <vin>', 'the car (17 characters, ISO 3779)', parseVin)
    .option('--url <url>', 'MQTT broker (mqtt:// or mqtts://)', parseMqttUrl, DEFAULT_MQTT_URL)
    .option('--http-url <url>', 'backend HTTP API, to find the case the event opened', parseHttpUrl, DEFAULT_HTTP_URL)
    .option('--delta-v <kmh>', 'delta-V in km/h (impact, airbag)', parseNonNegative)
    .addOption(new Option('--direction <dir>', 'crash direction (impact, airbag; right-hand drive: right is the driver\'s side)').choices(['front', 'rear', 'left', 'right', 'rollover']).default('front'))
    .option('--belts <seats>', 'front seats belted (impact, airbag): driver,passenger | driver | passenger | none; unset: the car\'s own', parseBelts)
    .option('--multiple-impacts', 'the crash had more than one impact (impact, airbag)')
    .addOption(new Option('--mode <mode>', 'power mode (power events)').choices(['off', 'acc', 'on']).default('off'))
    .option('--kind <kind>', 'alarm kind (security-alarm events)', 'intrusion')
    .option('--test', 'mark the event as an eCall test call (no lockout)')
    .option('--no-position', 'send position null (D2.7: the operator asks the caller)')
    .option('--wait-ms <ms>', 'how long to listen for commands after the PUBACK', parseNonNegative, 2000)
    .option('--case-wait-ms <ms>', 'how long to look for the case the event opened (GET /v1/cases?status=open); 0: do not look', parseNonNegative, 3000)
    .option('--seed <n>', 'PRNG seed (default: from the VIN)', parseInteger)
    .option('--json', 'print one JSON object instead of text')
    .option('--connect-timeout-ms <ms>', 'give up when the broker does not complete the MQTT handshake', parseNonNegative, 5000)
    .option('--ca <pem>', 'CA certificate file (PEM) of an mqtts:// broker whose certificate a private CA signed');
  addCredentialOptions(cmd, "the car's MQTT password when the broker has AUTH on (username: the VIN); default: $ANSHIN_VEHICLE_PASSWORD").action(async (type: EventType, o: FireCliOptions) => {
    const [{ simFire }] = await Promise.all([import('./actions/sim-fire.js'), reachable({ mqtt: o.url, ...(o.provision ? { http: o.httpUrl } : {}) })]);
    await simFire(type, o);
  });
}

/** `--belts driver,passenger`: the seats named are belted, the other front seat not (contract "Richer crash data"). */
function parseBelts(value: string): { driver: boolean; passenger: boolean } {
  const seats = value === 'none' ? [] : value.split(',').map((s) => s.trim());
  const bad = seats.find((s) => s !== 'driver' && s !== 'passenger');
  if (bad !== undefined) throw new InvalidArgumentError(`not a front seat: ${bad} (driver, passenger, or none)`);
  return { driver: seats.includes('driver'), passenger: seats.includes('passenger') };
}
