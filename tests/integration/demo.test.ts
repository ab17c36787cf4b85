import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import type { Case } from '../../protocol/index.js';
import { freePort, until } from '../../lib/process/free-port.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Connects with these credentials (or none); resolves with the CONNACK's return code (0: accepted). */
async function connackCode(url: string, auth?: { username: string; password: string }): Promise<number> {
  const client = mqtt.connect(url, { protocolVersion: 4, clientId: `demo-test-${process.pid}`, reconnectPeriod: 0, connectTimeout: 5000, ...auth });
  try {
    return await new Promise<number>((resolve, reject) => {
      client.once('connect', () => resolve(0));
      client.once('error', (err: Error & { code?: unknown }) => (typeof err.code === 'number' ? resolve(err.code) : reject(err)));
    });
  } finally {
    await client.endAsync(true);
  }
}

/** The README's first command, as a newcomer runs it: `npm run demo`, then Ctrl-C. */
describe('npm run demo', () => {
  it('runs with AUTH on: prints a login that works, refuses anonymous cars, opens the three demo cases, shuts down cleanly on SIGINT', async () => {
    const [http, mqttPort] = [await freePort(), await freePort()];
    const proc = spawn('npm', ['run', '--silent', 'demo'], {
      cwd: ROOT,
      // AUTH and ADMIN_PASSWORD unset, as on a newcomer's machine: the demo turns AUTH on itself.
      env: { ...process.env, HTTP_PORT: String(http), MQTT_PORT: String(mqttPort), LOG_LEVEL: 'info', REDIS_URL: '', MQTT_URL: '', AUTH: '', ADMIN_PASSWORD: '', API_TOKEN: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let out = '';
    proc.stdout.on('data', (d) => (out += d));
    proc.stderr.on('data', (d) => (out += d));
    const exited = new Promise<string>((resolve) => proc.once('exit', (code, signal) => resolve(String(code ?? signal))));
    try {
      await until(() => out.includes('demo: calls placed'), 30_000, 'the demo to place its calls');
      await until(() => out.includes('trouble_button_unavailable'), 10_000, 'the lockout notice');
      // How to log in, printed plainly: the console's URL, the demo operator and its password, the admin's.
      expect(out).toContain('AUTH is on');
      expect(out).toContain(`console    http://127.0.0.1:${http}/`);
      expect(out).toMatch(/username {3}demo {3}\(role operator\)/);
      const password = /^ {4}password {3}(\S+)$/m.exec(out)?.[1];
      const adminPassword = /admin {6}username admin, password (\S+)/.exec(out)?.[1];
      expect(password).toBeDefined();
      expect(adminPassword).toBeDefined();

      // AUTH is on: no token, no cases; the printed credentials log in; an anonymous car is refused (CONNACK 5).
      expect((await fetch(`http://127.0.0.1:${http}/v1/cases?status=open`)).status).toBe(401);
      const login = async (username: string, pw: string) => {
        const res = await fetch(`http://127.0.0.1:${http}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: pw }) });
        expect(res.status).toBe(200);
        return (await res.json()) as { token: string; operator: { username: string; role: string } };
      };
      const demo = await login('demo', password!);
      expect(demo.operator).toMatchObject({ username: 'demo', role: 'operator' });
      expect((await login('admin', adminPassword!)).operator.role).toBe('admin');
      expect(await connackCode(`mqtt://127.0.0.1:${mqttPort}`)).toBe(5);
      expect(await connackCode(`mqtt://127.0.0.1:${mqttPort}`, { username: 'JT2AE92E3K0000001', password: 'not-its-password' })).toBe(5);

      const cases = (await (await fetch(`http://127.0.0.1:${http}/v1/cases?status=open`, { headers: { authorization: `Bearer ${demo.token}` } })).json()) as Case[];
      expect(cases.map((c) => c.trigger).sort()).toEqual(['airbag', 'sos', 'trouble']);
      // The demo's operator worked the SOS case as itself.
      expect(cases.find((c) => c.trigger === 'sos')?.operatorId).toBe('demo');
      const lines = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg: string });
      const msgs = lines.map((l) => l.msg);
      expect(msgs.filter((m) => /^case \w+ opened/.test(m))).toHaveLength(3);
      expect(msgs.some((m) => /lockout on: remote_operations, trouble_button, security_alarm$/.test(m))).toBe(true);
      expect(msgs.some((m) => /obeys call\.state/.test(m))).toBe(true);
      expect(msgs.some((m) => /obeys wifi/.test(m))).toBe(true);
    } finally {
      process.kill(-proc.pid!, 'SIGINT');
    }
    // npm itself dies of the SIGINT the terminal sends the whole group; the service shuts down cleanly.
    expect(['0', 'SIGINT']).toContain(await exited);
    expect(out).toContain('shutting down');
    expect(out).not.toMatch(/"level":(50|60)/);
  }, 60_000);
});
