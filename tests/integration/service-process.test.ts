/**
 * The one way to run the service as its own OS process (lib/process/service-process.ts), and the
 * tracking that keeps child processes from outliving their parent (lib/process/children.ts). Real
 * processes on loopback; no timing is asserted.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../lib/process/free-port.js';
import { ownChildren, pidAlive } from '../../lib/process/proc-fs.js';
import { startRedisServer, type RedisServer } from '../../lib/process/redis-server.js';
import { PROJECT_ROOT as ROOT, projectPath } from '../../lib/paths.js';
import { startServiceProcess, type ServiceProcess } from '../../lib/process/service-process.js';
import { startTestBroker } from '../helpers/sim-broker.js';

const started: ServiceProcess[] = [];
afterAll(async () => {
  await Promise.all(started.map((s) => s.close()));
});

const readyz = async (url: string) => (await fetch(`${url}/readyz`)).status;

describe('startServiceProcess', () => {
  it('runs cli/start.ts from the sources on free HTTP and MQTT ports; kill, restart with the same env and ports, close', async () => {
    const svc = await startServiceProcess('svc', { env: { LOCKOUT_MINUTES: '5' }, logChars: 2_000 });
    started.push(svc);
    expect(svc.running).toBe(true);
    expect(svc.pid).toBeGreaterThan(0);
    expect(ownChildren().find((c) => c.pid === svc.pid)?.argv.slice(-3)).toEqual(['--import', 'tsx', projectPath('cli', 'start.ts')]);
    expect(svc.env).toMatchObject({ LOCKOUT_MINUTES: '5', HTTP_PORT: String(svc.httpPort), MQTT_PORT: String(svc.mqttPort) });
    expect(await readyz(svc.httpUrl)).toBe(200);
    const car = await mqtt.connectAsync(svc.mqttUrl!, { reconnectPeriod: 0 });
    await car.endAsync();

    const first = svc.pid!;
    const killed = await svc.kill('SIGKILL');
    expect(killed.forced).toBe(false);
    expect(svc.running).toBe(false);
    expect(svc.pid).toBeUndefined();
    expect(svc.lastExit?.signal).toBe('SIGKILL');
    expect(pidAlive(first)).toBe(false);

    await svc.restart();
    expect(svc.pid).not.toBe(first);
    expect(await readyz(svc.httpUrl)).toBe(200);
    const again = await mqtt.connectAsync(svc.mqttUrl!, { reconnectPeriod: 0 });
    await again.endAsync();
    // Asked-for ends are not unexpected.
    expect(svc.unexpectedExits).toEqual([]);

    // A signal from outside is.
    process.kill(svc.pid!, 'SIGKILL');
    await expect.poll(() => svc.unexpectedExits.length, { timeout: 10_000 }).toBe(1);
    expect(svc.unexpectedExits[0]).toMatchObject({ code: null, signal: 'SIGKILL' });
    await svc.restart();
    await svc.close();
    expect(svc.lastExit).toMatchObject({ code: 0, signal: null });
    expect(svc.unexpectedExits).toHaveLength(1);
    expect(svc.log().length).toBeLessThanOrEqual(2_000);
  }, 90_000);

  it('a start that fails throws with the log and leaves no process behind: a bad config, a readiness that never comes', async () => {
    const before = new Set(ownChildren().map((c) => c.pid));
    await expect(startServiceProcess('bad', { env: { LOCKOUT_MINUTES: 'abc' } })).rejects.toThrow(/bad exited while starting \(code 2\)[\s\S]*LOCKOUT_MINUTES/);
    await expect(startServiceProcess('slow', { readyTimeoutMs: 1 })).rejects.toThrow(/slow: \/readyz not 200 within 1 ms; killed/);
    expect(ownChildren().filter((c) => !before.has(c.pid))).toEqual([]);
    await expect(startServiceProcess('x', { env: { HTTP_PORT: '3000' } })).rejects.toThrow(/httpPort/);
  }, 60_000);

  it('a fixed HTTP port is kept; with MQTT_URL (an external broker) no broker port is chosen', async () => {
    const broker = await startTestBroker();
    try {
      const httpPort = await freePort();
      const svc = await startServiceProcess('ext', { env: { MQTT_URL: broker.url }, httpPort });
      started.push(svc);
      expect(svc.httpUrl).toBe(`http://127.0.0.1:${httpPort}`);
      expect([svc.mqttUrl, svc.mqttPort, 'MQTT_PORT' in svc.env]).toEqual([null, null, false]);
      await svc.close();
    } finally {
      await broker.stop();
    }
  }, 60_000);
});

describe('child processes never outlive their parent (lib/process/children.ts)', () => {
  let dir: string;
  let redis: RedisServer | undefined;
  afterEach(async () => {
    await redis?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** A parent process that starts redis-server through the helper, prints its pid, then `then`s. */
  async function parentThat(then: string): Promise<{ childPid: number; exit: Promise<{ code: number | null; signal: string | null }>; kill(s: NodeJS.Signals): void }> {
    dir = await mkdtemp(join(tmpdir(), 'anshin-parent-'));
    const script = join(dir, 'parent.mts');
    await writeFile(
      script,
      `import { startRedisServer } from ${JSON.stringify(join(ROOT, 'lib/process/redis-server.ts'))};\n` +
        `const redis = await startRedisServer();\nconsole.log(redis.pid);\n${then}\n`,
    );
    const parent = spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const exit = new Promise<{ code: number | null; signal: string | null }>((resolve) => parent.once('exit', (code, signal) => resolve({ code, signal })));
    const childPid = await new Promise<number>((resolve, reject) => {
      parent.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
      void exit.then((e) => reject(new Error(`parent ended first: ${JSON.stringify(e)}`)));
    });
    return { childPid, exit, kill: (s) => parent.kill(s) };
  }

  it('the parent crashes (uncaught exception): its redis-server is killed', async () => {
    const parent = await parentThat("setTimeout(() => { throw new Error('boom'); }, 100);");
    expect(pidAlive(parent.childPid)).toBe(true);
    expect((await parent.exit).code).toBe(1);
    await expect.poll(() => pidAlive(parent.childPid), { timeout: 5_000 }).toBe(false);
  }, 30_000);

  it('Ctrl-C (SIGINT) on a parent that does not handle it: its redis-server is killed, and the parent still ends by the signal', async () => {
    const parent = await parentThat('setInterval(() => {}, 1000);');
    expect(pidAlive(parent.childPid)).toBe(true);
    parent.kill('SIGINT');
    expect(await parent.exit).toEqual({ code: null, signal: 'SIGINT' });
    await expect.poll(() => pidAlive(parent.childPid), { timeout: 5_000 }).toBe(false);
  }, 30_000);

  it('redis-server frozen (SIGSTOP) does not answer; thawed it does; kill() ends it and start() brings it back on its port', async () => {
    redis = await startRedisServer({ appendonly: true });
    const ping = () =>
      new Promise<boolean>((resolve) => {
        const s = createConnection({ host: '127.0.0.1', port: redis!.port });
        s.setTimeout(500, () => (s.destroy(), resolve(false)));
        s.once('error', () => resolve(false));
        s.once('connect', () => s.write('PING\r\n'));
        s.once('data', (d) => (s.destroy(), resolve(d.toString().startsWith('+PONG'))));
      });
    redis.freeze();
    expect(await ping()).toBe(false);
    redis.thaw();
    expect(await ping()).toBe(true);
    const pid = redis.pid!;
    await redis.kill();
    expect(redis.running).toBe(false);
    expect(pidAlive(pid)).toBe(false);
    await redis.start();
    expect(await ping()).toBe(true);
  }, 30_000);
});
