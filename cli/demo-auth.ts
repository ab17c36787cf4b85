import { randomBytes } from 'node:crypto';
import type { AuditActor } from '../protocol/index.js';
import { DomainError } from '../services/incident/domain-errors.js';
import type { Stack } from '../services/stack.js';

/** The demo's operator account (issue 11, part 6): a newcomer logs in to the console with it. */
export const DEMO_OPERATOR = 'demo';
const DEMO_ACTOR: AuditActor = { kind: 'system', id: 'demo' };

/**
 * What `npm run demo` runs with: AUTH on unless AUTH is set (then as set), and, when ADMIN_PASSWORD is
 * unset, a first-admin password made here so that the demo can print it (the service would log a
 * random one anyway). `startedAt` tells whether the admin account was made by this start.
 */
export function demoConfig(env: NodeJS.ProcessEnv = process.env): { config: { AUTH?: 'on'; ADMIN_PASSWORD?: string }; adminPassword?: string; startedAt: number } {
  const startedAt = Date.now();
  if (env.AUTH) return { config: {}, startedAt };
  const adminPassword = env.ADMIN_PASSWORD ? undefined : randomBytes(12).toString('base64url');
  return { config: { AUTH: 'on', ...(adminPassword ? { ADMIN_PASSWORD: adminPassword } : {}) }, ...(adminPassword ? { adminPassword } : {}), startedAt };
}

export interface DemoAccess {
  /** Each demo car's MQTT password (empty with AUTH off). */
  passwords: Map<string, string>;
  /** Headers of the demo operator's HTTP calls: its login token (AUTH on), or who it is (AUTH off). */
  headers: Record<string, string>;
}

/**
 * AUTH on: issues each demo car its MQTT credentials and makes the `demo` operator (again, if an earlier
 * run on the same store left one), logs it in over HTTP as a newcomer would, and prints how to log in
 * to the console. AUTH off: nothing to issue; the operator names itself.
 */
export async function demoAccess(stack: Stack, vins: string[], admin: { adminPassword?: string; startedAt: number }): Promise<DemoAccess> {
  const { config, service, store, httpUrl } = stack;
  if (config.AUTH !== 'on') {
    return { passwords: new Map(), headers: { 'x-operator-id': 'demo-operator', ...(config.API_TOKEN ? { authorization: `Bearer ${config.API_TOKEN}` } : {}) } };
  }
  const { identity } = service;
  const passwords = new Map<string, string>();
  for (const vin of vins) passwords.set(vin, (await identity.issueVehicleCredentials(vin, DEMO_ACTOR)).password);
  const password = randomBytes(12).toString('base64url');
  await identity.deleteOperator(DEMO_OPERATOR, DEMO_ACTOR).catch((err: unknown) => {
    if (!(err instanceof DomainError && err.code === 'operator_not_found')) throw err;
  });
  await identity.createOperator({ username: DEMO_OPERATOR, password, role: 'operator', displayName: 'Demo Operator' }, DEMO_ACTOR);
  const res = await fetch(`${httpUrl}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: DEMO_OPERATOR, password }) });
  if (!res.ok) throw new Error(`demo: the demo operator could not log in: ${res.status} ${await res.text()}`);
  const { token } = (await res.json()) as { token: string };

  const adminAccount = await store.getAccount('admin');
  const adminMadeNow = admin.adminPassword !== undefined && adminAccount !== null && Date.parse(adminAccount.createdAt) >= admin.startedAt - 1000;
  const lines = [
    '',
    '  anshin demo: AUTH is on (operators log in; each car connects with its own MQTT password)',
    `    console    ${httpUrl}/`,
    `    username   ${DEMO_OPERATOR}   (role operator)`,
    `    password   ${password}`,
    adminMadeNow ? `    admin      username admin, password ${admin.adminPassword}   (accounts, car credentials; shown only now)` : '    admin      username admin: its password is ADMIN_PASSWORD, or the one logged when the account was made',
    `    cars       ${vins.join(', ')}: credentials issued (PUT /v1/vehicles/{vin}/credentials)`,
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return { passwords, headers: { authorization: `Bearer ${token}` } };
}
