import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, until } from '../../lib/process/free-port.js';

const ROOT = resolve(import.meta.dirname, '../..');

/** `anshin start` (what `npm start` runs) with LOG_FORMAT=pretty: readable lines in Japan time, then a clean stop on Ctrl-C. */
describe('anshin start, LOG_FORMAT=pretty', () => {
  it('serves, logs one readable line an event, and stops on SIGINT with exit 0', async () => {
    const [http, mqtt] = [await freePort(), await freePort()];
    const proc = spawn(process.execPath, ['bin/anshin.js', 'start'], {
      cwd: ROOT,
      env: { ...process.env, HTTP_PORT: String(http), MQTT_PORT: String(mqtt), LOG_LEVEL: 'info', LOG_FORMAT: 'pretty', REDIS_URL: '', MQTT_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout.on('data', (d) => (out += d));
    proc.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((done) => proc.once('exit', (code) => done(code)));
    try {
      await until(async () => (await fetch(`http://127.0.0.1:${http}/healthz`).catch(() => null))?.ok === true, 30_000, 'anshin start to serve');
      await until(() => out.includes('anshin is up'), 5_000, 'the start-up line');
    } finally {
      proc.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(out).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d JST INFO  anshin is up \\(http http://127\\.0\\.0\\.1:${http}, mqtt mqtt://127\\.0\\.0\\.1:${mqtt}, store memory`, 'm'));
    expect(out).toMatch(/^\d\d:\d\d:\d\d JST INFO {2}shutting down \(signal SIGINT\)$/m);
    expect(out).not.toContain('{"level"');
  }, 60_000);
});
