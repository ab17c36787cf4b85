/**
 * Who may do what on the embedded broker when AUTH=on (CONTRACT "Identity and access"), as pure
 * functions over strings. infra/mosquitto-acl.conf and infra/emqx-acl.conf say the same to the
 * external brokers (tests/unit/broker-acl.test.ts holds them to these lists).
 *
 * - vehicle (username = its VIN): publishes its own `events/+`, `telemetry`, `status` (also its Last
 *   Will) and `acks`; subscribes to its own `commands`, `lockout` and `app-messages`, exact filters only.
 * - service (MQTT_USERNAME): the backend reaching this broker as a client; reads `v1/#`, publishes the
 *   backend-only topics, never a car's.
 * - tool (`anshin-tool`, MQTT_TOOL_PASSWORD): trace recorders and the bench's probes; reads `v1/#`,
 *   publishes nothing but its own `bench/#` probe traffic.
 * - service car (username `svc-<id>`, D4.6; password from `PUT /v1/service-cars/{id}/credentials`):
 *   publishes its own `v1/service-cars/{id}/position` only; subscribes to nothing. Client id
 *   `service-car-<id>` (optionally `-` and a suffix) or its username; no other identity may use those.
 * - mail gateway (`anshin-mail`, MQTT_MAIL_PASSWORD, D4.5): subscribes to `v1/outbox/email` only;
 *   publishes nothing.
 */
import { isServiceCarId } from '../../protocol/service-car.js';
import { isVin } from '../../protocol/vin.js';
import { topicMatches } from '../../protocol/topics.js';

export type BrokerIdentity =
  | { kind: 'vehicle'; vin: string; key: string; prefix: string }
  | { kind: 'service'; key: 'service' }
  | { kind: 'tool'; key: 'tool' }
  | { kind: 'service_car'; id: string; key: string; topic: string }
  | { kind: 'mail'; key: 'mail' };

/** D4.6: a service car's MQTT username, and the key its credential is kept under (a VIN never holds `-`, so no collision). */
export const SERVICE_CAR_USERNAME_PREFIX = 'svc-';

export function serviceCarIdentity(id: string): BrokerIdentity {
  return { kind: 'service_car', id, key: `${SERVICE_CAR_USERNAME_PREFIX}${id}`, topic: `v1/service-cars/${id}/position` };
}

/** The service car a username names (`svc-<id>`), or null. */
export function serviceCarOfUsername(username: string): string | null {
  if (!username.startsWith(SERVICE_CAR_USERNAME_PREFIX)) return null;
  const id = username.slice(SERVICE_CAR_USERNAME_PREFIX.length);
  return isServiceCarId(id) ? id : null;
}

/** What the mail gateway subscribes to (D4.5). */
export const MAIL_SUBSCRIBE = ['v1/outbox/email'] as const;

export function vehicleIdentity(vin: string): BrokerIdentity {
  return { kind: 'vehicle', vin, key: `vehicle:${vin}`, prefix: `v1/vehicles/${vin}/` };
}

/** What a vehicle publishes, under `v1/vehicles/{vin}/` (`+`: any one level, e.g. the event type). */
export const VEHICLE_PUBLISH = ['events/+', 'telemetry', 'status', 'acks'] as const;
/** What a vehicle subscribes to, under `v1/vehicles/{vin}/`; `app-messages` is the D4.6 extension. */
export const VEHICLE_SUBSCRIBE = ['commands', 'lockout', 'app-messages'] as const;
/** What the service publishes: the backend-only topics (commands, the retained lockout, letters, partners, audit, email outbox). */
export const SERVICE_PUBLISH = [
  'v1/vehicles/+/commands',
  'v1/vehicles/+/lockout',
  'v1/vehicles/+/app-messages',
  'v1/dead-letter',
  'v1/partners/#',
  'v1/audit/#',
  'v1/outbox/#',
] as const;
/** What the service and the tools may subscribe to. */
export const READ_ALL = ['v1/#'] as const;
/** The bench's probes publish and subscribe here (bench/support/floor-probe.ts). */
export const TOOL_OWN = ['bench/#'] as const;

/**
 * Refused in a username or a client id: the wildcards `+` and `#` (Mosquitto CVE-2017-7650: a username
 * `#` put into a `%u` pattern rule granted every topic), the level separator `/` (a username `A/#`
 * would reach other levels the same way) and control characters.
 */
// eslint-disable-next-line no-control-regex -- control characters are what it refuses
const UNSAFE_NAME = /[+#/\u0000-\u001f\u007f]/;

export function unsafeName(name: string): boolean {
  return UNSAFE_NAME.test(name);
}

/**
 * The client id rule (after AWS IoT, whose policies tie `iot:ClientId` to the thing name): a vehicle's
 * client id is its VIN or `car-<VIN>`, optionally followed by `-` and up to 32 of `A-Z a-z 0-9 _ -`
 * (a second connection of the same car). So no vehicle can name, and take over, another's session.
 */
const VEHICLE_CLIENT_ID = /^(?:car-)?([A-HJ-NPR-Z0-9]{17})(?:-[A-Za-z0-9_-]{1,32})?$/;
/** Anything that starts like a vehicle's client id; refused to non-vehicles, so they cannot take a car's. */
const VEHICLE_LIKE = /^(?:car-)?[A-HJ-NPR-Z0-9]{17}(?:-|$)/;
/** D4.6: what a service car's client ids start with; refused to every other identity. */
const SERVICE_CAR_LIKE = /^(?:service-car-|svc-)/;

/** Why this identity may not connect with this client id (CONNACK 2, identifier rejected), or null. */
export function clientIdProblem(identity: BrokerIdentity, clientId: string): string | null {
  if (unsafeName(clientId)) return 'client id with a wildcard, a slash or a control character';
  if (identity.kind === 'vehicle') {
    const m = VEHICLE_CLIENT_ID.exec(clientId);
    return m && m[1] === identity.vin ? null : `a vehicle's client id is its VIN or car-<VIN> (got ${JSON.stringify(clientId)})`;
  }
  if (identity.kind === 'service_car') {
    const own = clientId === identity.key || clientId === `service-car-${identity.id}` || clientId.startsWith(`service-car-${identity.id}-`);
    return own ? null : `a service car's client id is service-car-<id> or its username (got ${JSON.stringify(clientId)})`;
  }
  if (SERVICE_CAR_LIKE.test(clientId)) return 'a service-car client id used by another identity';
  return VEHICLE_LIKE.test(clientId) ? 'a vehicle client id used by a non-vehicle identity' : null;
}

/** Is every topic that `filter` matches also matched by `allowed`? (A subscription inside a grant.) */
export function filterWithin(filter: string, allowed: string): boolean {
  const f = filter.split('/');
  const a = allowed.split('/');
  for (let i = 0; i < a.length; i++) {
    if (a[i] === '#') return true;
    if (i >= f.length || f[i] === '#') return false;
    if (a[i] !== '+' && (f[i] === '+' || f[i] !== a[i])) return false;
  }
  return f.length === a.length;
}

/** May this identity publish on `topic`? Hot path for telemetry: plain string checks for vehicles. */
export function mayPublish(identity: BrokerIdentity, topic: string): boolean {
  switch (identity.kind) {
    case 'vehicle': {
      if (!topic.startsWith(identity.prefix)) return false;
      const rest = topic.slice(identity.prefix.length);
      if (rest === 'telemetry' || rest === 'status' || rest === 'acks') return true;
      return rest.startsWith('events/') && rest.length > 7 && rest.indexOf('/', 7) === -1;
    }
    case 'service':
      return SERVICE_PUBLISH.some((p) => topicMatches(p, topic));
    case 'tool':
      return TOOL_OWN.some((p) => topicMatches(p, topic));
    case 'service_car':
      return topic === identity.topic; // D4.6: its own position, nothing else
    case 'mail':
      return false;
  }
}

/** May this identity subscribe to `filter`? Vehicles: their own exact topics only (no wildcard). */
export function maySubscribe(identity: BrokerIdentity, filter: string): boolean {
  switch (identity.kind) {
    case 'vehicle': {
      if (!filter.startsWith(identity.prefix)) return false;
      const rest = filter.slice(identity.prefix.length);
      return (VEHICLE_SUBSCRIBE as readonly string[]).includes(rest);
    }
    case 'service':
      return READ_ALL.some((p) => filterWithin(filter, p));
    case 'tool':
      return [...READ_ALL, ...TOOL_OWN].some((p) => filterWithin(filter, p));
    case 'service_car':
      return false;
    case 'mail':
      return MAIL_SUBSCRIBE.some((p) => filterWithin(filter, p));
  }
}

/**
 * May a message on `topic` be delivered to this identity (aedes `authorizeForward`)? Subscriptions are
 * already checked; this catches what a persistent session queued or subscribed to before AUTH was on.
 */
export function mayReceive(identity: BrokerIdentity, topic: string): boolean {
  return identity.kind === 'service' || identity.kind === 'tool' || maySubscribe(identity, topic);
}

/** The identity a username names, or null (unknown). Passwords are checked elsewhere. */
export function identityOf(username: string, accounts: { service?: string | undefined; tool?: string | undefined; mail?: string | undefined }): BrokerIdentity | null {
  if (isVin(username)) return vehicleIdentity(username);
  if (accounts.service !== undefined && username === accounts.service) return { kind: 'service', key: 'service' };
  if (accounts.tool !== undefined && username === accounts.tool) return { kind: 'tool', key: 'tool' };
  if (accounts.mail !== undefined && username === accounts.mail) return { kind: 'mail', key: 'mail' };
  const serviceCar = serviceCarOfUsername(username);
  return serviceCar !== null ? serviceCarIdentity(serviceCar) : null;
}
