import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort, until } from '../../tests/helpers/free-port.js';
import { track } from './proc.js';

export interface BenchMosquitto {
  url: string;
  pid: number;
  close(): Promise<void>;
}

function mosquittoBinary(): string {
  for (const p of ['/usr/sbin/mosquitto', '/usr/bin/mosquitto', '/usr/local/sbin/mosquitto']) if (existsSync(p)) return p;
  return 'mosquitto';
}

/**
 * Mosquitto with `infra/mosquitto.conf` on a free loopback port and a persistence dir of its own, like
 * tests/helpers/mosquitto.ts, but exposing its pid (the bench reads its resident memory).
 */
export async function startBenchMosquitto(): Promise<BenchMosquitto> {
  const dir = await mkdtemp(join(tmpdir(), 'anshin-bench-mosquitto-'));
  const port = await freePort();
  // The deployed configuration, with its persistence in this broker's own temp dir: a shared
  // persistence_location would hand this run the sessions (and missing subscriptions) of another.
  const base = (await readFile(new URL('../../infra/mosquitto.conf', import.meta.url), 'utf8')).replace(
    /^persistence_location .*$/m,
    `persistence_location ${dir}/\nuser ${userInfo().username}`,
  );
  const conf = join(dir, 'mosquitto.conf');
  await writeFile(conf, `${base}\nlistener ${port} 127.0.0.1\n`);
  const proc: ChildProcess = spawn(mosquittoBinary(), ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  track(proc);
  let stderr = '';
  proc.stderr?.on('data', (d) => (stderr = (stderr + d).slice(-5000)));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.once('error', () => {});
  try {
    await until(
      () =>
        new Promise<boolean>((resolve) => {
          if (proc.exitCode !== null) return resolve(false);
          const s = connect(port, '127.0.0.1', () => {
            s.destroy();
            resolve(true);
          });
          s.once('error', () => resolve(false));
        }),
      5_000,
      `mosquitto on port ${port}`,
    );
  } catch (err) {
    proc.kill('SIGKILL');
    throw new Error(`mosquitto did not start (apt-get install -y mosquitto): ${(err as Error).message}\n${stderr}`);
  }
  return {
    url: `mqtt://127.0.0.1:${port}`,
    pid: proc.pid!,
    async close() {
      if (proc.exitCode === null) {
        proc.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
        if (proc.exitCode === null) proc.kill('SIGKILL');
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
