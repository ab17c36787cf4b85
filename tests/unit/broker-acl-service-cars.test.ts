/** Issue 12 part 6 (D4.6) and D4.5: the ACL of service cars and the mail gateway (services/broker/acl.ts), and infra/'s files in step. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { clientIdProblem, identityOf, MAIL_SUBSCRIBE, mayPublish, mayReceive, maySubscribe, serviceCarIdentity, serviceCarOfUsername } from '../../services/broker/acl.js';
import { projectPath } from '../../lib/paths.js';

const VIN = 'JT2AE92E3K0000001';

describe('D4.6: service cars on the broker', () => {
  it('username svc-<id> names a service car; an unsafe id or a bare prefix names nobody', () => {
    expect(identityOf('svc-jaf-7', {})).toEqual(serviceCarIdentity('jaf-7'));
    expect(serviceCarOfUsername('svc-')).toBeNull();
    expect(serviceCarOfUsername('svc-a.b')).toBeNull();
    expect(identityOf('svc-', {})).toBeNull();
    // a configured account of that name is the account, not a service car
    expect(identityOf('svc-x', { service: 'svc-x' })).toEqual({ kind: 'service', key: 'service' });
  });

  it('a service car publishes its own position only, subscribes to nothing, receives nothing', () => {
    const car = serviceCarIdentity('jaf-7');
    expect(mayPublish(car, 'v1/service-cars/jaf-7/position')).toBe(true);
    expect(mayPublish(car, 'v1/service-cars/jaf-8/position')).toBe(false);
    expect(mayPublish(car, `v1/vehicles/${VIN}/events/sos`)).toBe(false);
    expect(mayPublish(car, 'v1/service-cars/+/position')).toBe(false);
    expect(maySubscribe(car, 'v1/service-cars/jaf-7/position')).toBe(false);
    expect(mayReceive(car, `v1/vehicles/${VIN}/app-messages`)).toBe(false);
  });

  it('client ids: service-car-<id>[-suffix] or svc-<id> for the service car; nobody else may use those prefixes', () => {
    const car = serviceCarIdentity('jaf-7');
    expect(clientIdProblem(car, 'service-car-jaf-7')).toBeNull();
    expect(clientIdProblem(car, 'service-car-jaf-7-2')).toBeNull();
    expect(clientIdProblem(car, 'svc-jaf-7')).toBeNull();
    expect(clientIdProblem(car, 'service-car-jaf-8')).not.toBeNull();
    expect(clientIdProblem(car, `car-${VIN}`)).not.toBeNull();
    expect(clientIdProblem({ kind: 'tool', key: 'tool' }, 'service-car-jaf-7')).not.toBeNull();
    expect(clientIdProblem({ kind: 'service', key: 'service' }, 'svc-jaf-7')).not.toBeNull();
  });
});

describe('D4.5: the mail gateway account', () => {
  const mail = identityOf('anshin-mail', { mail: 'anshin-mail' })!;
  it('subscribes to v1/outbox/email only, receives only that, publishes nothing', () => {
    expect(mail).toEqual({ kind: 'mail', key: 'mail' });
    expect(maySubscribe(mail, 'v1/outbox/email')).toBe(true);
    expect(maySubscribe(mail, 'v1/outbox/#')).toBe(false);
    expect(maySubscribe(mail, 'v1/#')).toBe(false);
    expect(mayReceive(mail, 'v1/dead-letter')).toBe(false);
    expect(mayPublish(mail, 'v1/outbox/email')).toBe(false);
  });

  it("infra/'s Mosquitto and EMQX ACLs grant the mail gateway the same", () => {
    const mosquitto = readFileSync(projectPath('infra', 'mosquitto-acl.conf'), 'utf8').split('\n').map((l) => l.trim());
    const at = mosquitto.indexOf('user anshin-mail');
    expect(at).toBeGreaterThan(0);
    expect(mosquitto.slice(at + 1).filter((l) => l.startsWith('topic ')).slice(0, 1)).toEqual(MAIL_SUBSCRIBE.map((t) => `topic read ${t}`));
    const emqx = readFileSync(projectPath('infra', 'emqx-acl.conf'), 'utf8');
    expect(emqx).toContain('{allow, {username, "anshin-mail"}, subscribe, [{eq, "v1/outbox/email"}]}.');
  });
});
