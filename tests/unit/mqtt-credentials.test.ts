import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain .mjs tool without types (infra/ is not compiled)
import * as tool from '../../infra/mqtt-credentials.mjs';

/**
 * infra/mqtt-credentials.mjs for D4.6 service cars and the D4.5 mail account: which usernames it takes,
 * the ACL rule it writes for a service car into Mosquitto's and EMQX's files, and the sessions it ends
 * on EMQX. (tests/integration/broker-auth-mosquitto.test.ts runs it against a real Mosquitto.)
 */
const t = tool as {
  validUsername(u: string): boolean;
  serviceCarOf(u: string): string | null;
  withMosquittoServiceCar(text: string, id: string): string;
  withEmqxServiceCar(text: string, id: string): string;
  emqxServiceCarRule(id: string): string;
  emqxCalls(u: string, p: string): { kick: { path: string }[] };
};

describe('infra/mqtt-credentials.mjs: service cars and the mail account', () => {
  it('takes VINs, svc-<id> with a safe id and the three accounts; nothing that could widen a %u or ${username} rule', () => {
    for (const u of ['JT2AE92E3K0000001', 'svc-jaf-7', 'svc-A_b-9', 'anshin-service', 'anshin-tool', 'anshin-mail']) expect(t.validUsername(u), u).toBe(true);
    for (const u of ['svc-', 'svc-a/b', 'svc-#', 'svc-a+b', `svc-${'x'.repeat(65)}`, 'anshin-other', '#', 'jaf-7']) expect(t.validUsername(u), u).toBe(false);
    expect(t.serviceCarOf('svc-jaf-7')).toBe('jaf-7');
  });

  it("Mosquitto: a service car's block is added once, at the end of the installed ACL file, and replaced when issued again", async () => {
    const base = await readFile(new URL('../../infra/mosquitto-acl.conf', import.meta.url), 'utf8');
    const once = t.withMosquittoServiceCar(base, 'jaf-7');
    expect(once.endsWith('\n\nuser svc-jaf-7\ntopic write v1/service-cars/jaf-7/position\n')).toBe(true);
    const both = t.withMosquittoServiceCar(t.withMosquittoServiceCar(once, 'jaf-8'), 'jaf-7');
    expect(both.match(/^user svc-jaf-7$/gm)).toHaveLength(1);
    expect(both.match(/^user svc-jaf-8$/gm)).toHaveLength(1);
    expect(both.startsWith(base.trimEnd())).toBe(true);
  });

  it("EMQX: a service car's rule goes above the final deny, once; its sessions are ended on rotation", async () => {
    const base = await readFile(new URL('../../infra/emqx-acl.conf', import.meta.url), 'utf8');
    const text = t.withEmqxServiceCar(t.withEmqxServiceCar(base, 'jaf-7'), 'jaf-7');
    const rule = t.emqxServiceCarRule('jaf-7');
    expect(rule).toBe('{allow, {username, "svc-jaf-7"}, publish, [{eq, "v1/service-cars/jaf-7/position"}]}.');
    expect(text.split('\n').filter((l) => l === rule)).toHaveLength(1);
    expect(text.indexOf(rule)).toBeLessThan(text.lastIndexOf('{deny, all}.'));
    expect(t.emqxCalls('svc-jaf-7', 'pw').kick.map((k) => k.path)).toEqual(['/api/v5/clients/service-car-jaf-7', '/api/v5/clients/svc-jaf-7']);
    expect(t.emqxCalls('anshin-mail', 'pw').kick).toEqual([]);
  });
});
