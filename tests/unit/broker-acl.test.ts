/**
 * Issue 11: the ACL and client-id rules of the embedded broker (services/broker/acl.ts), the
 * credential cache, and infra/'s Mosquitto and EMQX files saying the same as acl.ts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { projectPath } from '../../lib/paths.js';
import {
  clientIdProblem,
  filterWithin,
  identityOf,
  mayPublish,
  mayReceive,
  maySubscribe,
  READ_ALL,
  SERVICE_PUBLISH,
  TOOL_OWN,
  VEHICLE_PUBLISH,
  VEHICLE_SUBSCRIBE,
  vehicleIdentity,
  type BrokerIdentity,
} from '../../services/broker/acl.js';
import { topicMatches } from '../../protocol/index.js';
import { CredentialCache } from '../../services/broker/credential-cache.js';
import { vin } from '../helpers/vins.js';

const A = vin(1);
const B = vin(2);
const car = vehicleIdentity(A);
const service: BrokerIdentity = { kind: 'service', key: 'service' };
const tool: BrokerIdentity = { kind: 'tool', key: 'tool' };

describe('issue 11: topic matching', () => {
  it('matches topics against filters as MQTT 3.1.1 §4.7 does', () => {
    expect(topicMatches('v1/vehicles/+/events/+', `v1/vehicles/${A}/events/airbag`)).toBe(true);
    expect(topicMatches('v1/#', 'v1')).toBe(true);
    expect(topicMatches('v1/+', 'v1/a/b')).toBe(false);
    expect(topicMatches('v1/vehicles/+/commands', 'v1/vehicles/x/commands/y')).toBe(false);
  });

  it('a filter is within a grant only when every topic it matches is granted', () => {
    expect(filterWithin('v1/#', 'v1/#')).toBe(true);
    expect(filterWithin('v1/vehicles/+/events/+', 'v1/#')).toBe(true);
    expect(filterWithin('#', 'v1/#')).toBe(false);
    expect(filterWithin('+/vehicles/#', 'v1/#')).toBe(false);
    expect(filterWithin('v1/vehicles/+/commands', `v1/vehicles/${A}/commands`)).toBe(false);
    expect(filterWithin('v1/vehicles/#', 'v1/vehicles/+/commands')).toBe(false);
  });
});

describe('issue 11: the vehicle ACL (CONTRACT "Identity and access")', () => {
  it('a vehicle publishes its own events, telemetry, status and acks, nothing else', () => {
    for (const t of [`events/airbag`, 'events/sos', 'telemetry', 'status', 'acks']) expect(mayPublish(car, `v1/vehicles/${A}/${t}`)).toBe(true);
    for (const t of [`v1/vehicles/${B}/events/airbag`, `v1/vehicles/${A}/commands`, `v1/vehicles/${A}/lockout`, `v1/vehicles/${A}/events/`, `v1/vehicles/${A}/events/a/b`, 'v1/dead-letter', `v1/vehicles/${A}`])
      expect(mayPublish(car, t)).toBe(false);
  });

  it('a vehicle subscribes to its own commands, lockout and app-messages, by exact filter only', () => {
    for (const t of ['commands', 'lockout', 'app-messages']) expect(maySubscribe(car, `v1/vehicles/${A}/${t}`)).toBe(true);
    for (const f of [`v1/vehicles/${B}/commands`, `v1/vehicles/${A}/+`, `v1/vehicles/${A}/#`, 'v1/#', '#', `v1/vehicles/+/commands`]) expect(maySubscribe(car, f)).toBe(false);
    expect(mayReceive(car, `v1/vehicles/${B}/commands`)).toBe(false);
    expect(mayReceive(car, `v1/vehicles/${A}/lockout`)).toBe(true);
  });

  it('the service reads v1/# and publishes the backend-only topics, never a car topic', () => {
    expect(maySubscribe(service, 'v1/vehicles/+/events/+')).toBe(true);
    expect(maySubscribe(service, '#')).toBe(false);
    for (const t of [`v1/vehicles/${A}/commands`, `v1/vehicles/${A}/lockout`, 'v1/dead-letter', `v1/partners/security-alarms/${A}`, 'v1/audit/operator-actions', 'v1/outbox/email'])
      expect(mayPublish(service, t)).toBe(true);
    for (const t of [`v1/vehicles/${A}/events/airbag`, `v1/vehicles/${A}/status`, 'bench/x']) expect(mayPublish(service, t)).toBe(false);
  });

  it('the tool reads v1/# and bench/#, and publishes only bench/#', () => {
    expect(maySubscribe(tool, 'v1/#')).toBe(true);
    expect(maySubscribe(tool, '$SYS/#')).toBe(false);
    expect(mayPublish(tool, 'bench/floor/1/m')).toBe(true);
    expect(mayPublish(tool, `v1/vehicles/${A}/events/sos`)).toBe(false);
  });

  it('usernames name identities: a VIN, or the configured accounts', () => {
    expect(identityOf(A, {})).toEqual(car);
    expect(identityOf('anshin-service', { service: 'anshin-service' })).toEqual(service);
    expect(identityOf('anshin-tool', { service: 'anshin-service' })).toBeNull();
    expect(identityOf('jt2ae92e3k0000001', {})).toBeNull();
  });
});

describe('issue 11: client ids bound to identities', () => {
  it("a vehicle's client id is its VIN or car-<VIN>, optionally -<suffix>", () => {
    for (const id of [A, `car-${A}`, `car-${A}-diag`, `${A}-2`]) expect(clientIdProblem(car, id)).toBeNull();
    for (const id of [B, `car-${B}`, `${A}x`, `car-${A}-`, `car-${A}-#`, `x-${A}`, '', `aedes_${A}`]) expect(clientIdProblem(car, id)).not.toBeNull();
  });

  it("a non-vehicle may not use a vehicle's client id; nobody a wildcard, slash or control character", () => {
    for (const id of [`car-${A}`, A, `${A}-x`]) expect(clientIdProblem(tool, id)).not.toBeNull();
    for (const id of ['rec-1', 'anshin-host-3001', `car-${A.slice(1)}`]) expect(clientIdProblem(service, id)).toBeNull();
    for (const id of ['a+b', 'a#', 'a/b', 'a\u0000b']) expect(clientIdProblem(service, id)).not.toBeNull();
  });
});

describe('issue 11: the credential cache', () => {
  it('remembers a verified password for its TTL, forgets it on revoke, never takes another password', () => {
    let now = 0;
    const cache = new CredentialCache(1_000, 10, () => now);
    cache.remember(A, Buffer.from('secret'));
    expect(cache.has(A, Buffer.from('secret'))).toBe(true);
    expect(cache.has(A, Buffer.from('other'))).toBe(false);
    expect(cache.has(B, Buffer.from('secret'))).toBe(false);
    now = 999;
    expect(cache.has(A, Buffer.from('secret'))).toBe(true);
    now = 1_000;
    expect(cache.has(A, Buffer.from('secret'))).toBe(false);
    cache.remember(A, Buffer.from('secret'));
    cache.revoke(A);
    expect(cache.has(A, Buffer.from('secret'))).toBe(false);
  });

  it('keeps at most its maximum, dropping the oldest', () => {
    const cache = new CredentialCache(60_000, 2, () => 0);
    cache.remember(vin(1), Buffer.from('a'));
    cache.remember(vin(2), Buffer.from('b'));
    cache.remember(vin(3), Buffer.from('c'));
    expect(cache.size).toBe(2);
    expect(cache.has(vin(1), Buffer.from('a'))).toBe(false);
    expect(cache.has(vin(3), Buffer.from('c'))).toBe(true);
  });
});

describe("issue 11: infra/'s broker ACLs say what acl.ts says", () => {
  const lines = (file: string) => readFileSync(projectPath('infra', file), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#') && !l.startsWith('%'));

  it('Mosquitto: pattern lines for vehicles, user blocks for the service and the tool', () => {
    const acl = lines('mosquitto-acl.conf');
    const patterns = (access: string) => acl.filter((l) => l.startsWith(`pattern ${access} `)).map((l) => l.split(' ')[2]);
    expect(patterns('write').sort()).toEqual(VEHICLE_PUBLISH.map((t) => `v1/vehicles/%u/${t}`).sort());
    expect(patterns('read').sort()).toEqual(VEHICLE_SUBSCRIBE.map((t) => `v1/vehicles/%u/${t}`).sort());
    const block = (user: string) => {
      const start = acl.indexOf(`user ${user}`);
      const end = acl.findIndex((l, i) => i > start && l.startsWith('user '));
      return acl.slice(start + 1, end === -1 ? undefined : end);
    };
    const topicsOf = (b: string[], access: string) => b.filter((l) => l.startsWith(`topic ${access} `)).map((l) => l.split(' ')[2]).sort();
    expect(topicsOf(block('anshin-service'), 'write')).toEqual([...SERVICE_PUBLISH].sort());
    expect(topicsOf(block('anshin-service'), 'read')).toEqual([...READ_ALL]);
    expect(topicsOf(block('anshin-tool'), 'read')).toEqual([...READ_ALL]);
    expect(topicsOf(block('anshin-tool'), 'readwrite')).toEqual([...TOOL_OWN]);
  });

  it('EMQX: ${username} rules for vehicles, the service and tool rules, then deny', () => {
    const acl = lines('emqx-acl.conf');
    const rule = (who: string, action: string) => {
      const line = acl.find((l) => l.includes(who) && l.includes(`, ${action}, [`));
      return [...(line ?? '').matchAll(/"([^"]*\/[^"]*|bench\/#)"/g)].map((m) => m[1]!).sort();
    };
    expect(rule('{re, "^[A-HJ-NPR-Z0-9]{17}$"}', 'publish')).toEqual(VEHICLE_PUBLISH.map((t) => `v1/vehicles/\${username}/${t}`).sort());
    expect(rule('{re, "^[A-HJ-NPR-Z0-9]{17}$"}', 'subscribe')).toEqual(VEHICLE_SUBSCRIBE.map((t) => `v1/vehicles/\${username}/${t}`).sort());
    expect(rule('"anshin-service"', 'publish')).toEqual([...SERVICE_PUBLISH].sort());
    expect(rule('"anshin-service"', 'subscribe')).toEqual([...READ_ALL]);
    expect(rule('"anshin-tool"', 'subscribe')).toEqual([...READ_ALL, ...TOOL_OWN].sort());
    expect(rule('"anshin-tool"', 'publish')).toEqual([...TOOL_OWN]);
    expect(acl.at(-1)).toBe('{deny, all}.');
  });
});
