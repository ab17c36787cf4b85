/**
 * Deployments the chaos suite starts, written `<name>[:<flag>...]` on the command line:
 *
 * | name | processes |
 * | --- | --- |
 * | `memory` | one service process, embedded aedes broker, in-memory store (the default of `npm start`) |
 * | `redis` | one service process, embedded broker, `REDIS_URL` (a redis-server started for the run) |
 * | `redis-2` | two service processes on one Redis, each with its embedded broker; half the cars on each |
 * | `mosquitto` | Mosquitto + one service process (`MQTT_URL`) + Redis |
 * | `mosquitto-2` | Mosquitto + two service processes + Redis |
 *
 * Flags: `shared` sets `MQTT_SHARED_GROUP=anshin` (external broker only: aedes has no shared
 * subscriptions); `client-id` sets a fixed `MQTT_CLIENT_ID` per instance. Without flags the instances
 * run on the default configuration, which is what the suite is meant to prove safe.
 */
export const MODE_NAMES = ['memory', 'redis', 'redis-2', 'mosquitto', 'mosquitto-2'] as const;
export type ModeName = (typeof MODE_NAMES)[number];
export const MODE_FLAGS = ['shared', 'client-id'] as const;
export type ModeFlag = (typeof MODE_FLAGS)[number];

export interface ModeSpec {
  /** As written on the command line, flags in canonical order: `mosquitto-2:shared`. */
  id: string;
  name: ModeName;
  instances: 1 | 2;
  broker: 'embedded' | 'mosquitto';
  redis: boolean;
  sharedGroup: string | null;
  clientId: boolean;
}

const SHAPES: Record<ModeName, Pick<ModeSpec, 'instances' | 'broker' | 'redis'>> = {
  memory: { instances: 1, broker: 'embedded', redis: false },
  redis: { instances: 1, broker: 'embedded', redis: true },
  'redis-2': { instances: 2, broker: 'embedded', redis: true },
  mosquitto: { instances: 1, broker: 'mosquitto', redis: true },
  'mosquitto-2': { instances: 2, broker: 'mosquitto', redis: true },
};

/** Parses `mosquitto-2:shared`; throws a message for the CLI on anything unknown. */
export function parseMode(text: string): ModeSpec {
  const [name, ...flags] = text.trim().split(':');
  if (!(MODE_NAMES as readonly string[]).includes(name ?? '')) {
    throw new Error(`unknown mode "${name}"; one of ${MODE_NAMES.join(', ')} (flags: ${MODE_FLAGS.map((f) => `:${f}`).join(', ')})`);
  }
  for (const f of flags) {
    if (!(MODE_FLAGS as readonly string[]).includes(f)) throw new Error(`unknown mode flag ":${f}" in "${text}"; one of ${MODE_FLAGS.join(', ')}`);
  }
  const shape = SHAPES[name as ModeName];
  if (flags.includes('shared') && shape.broker !== 'mosquitto') {
    throw new Error(`"${text}": shared subscriptions need the external broker (aedes has none)`);
  }
  const canonical = MODE_FLAGS.filter((f) => flags.includes(f));
  return {
    id: [name, ...canonical].join(':'),
    name: name as ModeName,
    ...shape,
    sharedGroup: canonical.includes('shared') ? 'anshin' : null,
    clientId: canonical.includes('client-id'),
  };
}
