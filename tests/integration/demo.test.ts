import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Case } from '../../protocol/index.js';
import { freePort, until } from '../../lib/process/free-port.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The README's first command, as a newcomer runs it: `npm run demo`, then Ctrl-C. */
describe('npm run demo', () => {
  it('opens the three demo cases, logs lockouts and obeyed commands, and shuts down cleanly on SIGINT', async () => {
    const [http, mqtt] = [await freePort(), await freePort()];
    const proc = spawn('npm', ['run', '--silent', 'demo'], {
      cwd: ROOT,
      env: { ...process.env, HTTP_PORT: String(http), MQTT_PORT: String(mqtt), LOG_LEVEL: 'info', REDIS_URL: '', MQTT_URL: '' },
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
      const cases = (await (await fetch(`http://127.0.0.1:${http}/v1/cases?status=open`)).json()) as Case[];
      expect(cases.map((c) => c.trigger).sort()).toEqual(['airbag', 'sos', 'trouble']);
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
