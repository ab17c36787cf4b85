import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, until } from './free-port.js';

export interface Mosquitto {
  url: string;
  port: number;
  close(): Promise<void>;
}

export const NO_MOSQUITTO_HELP = 'No mosquitto for the external-broker tests: apt-get install -y mosquitto';

function mosquittoBinary(): string {
  for (const p of ['/usr/sbin/mosquitto', '/usr/bin/mosquitto', '/usr/local/sbin/mosquitto']) if (existsSync(p)) return p;
  return 'mosquitto';
}

/** Mosquitto, the external broker of the tests, on a free loopback port with `infra/mosquitto.conf`. */
export async function startMosquitto(): Promise<Mosquitto> {
  const dir = await mkdtemp(join(tmpdir(), 'anshin-mosquitto-'));
  const port = await freePort();
  const base = await readFile(new URL('../../infra/mosquitto.conf', import.meta.url), 'utf8');
  const conf = join(dir, 'mosquitto.conf');
  await writeFile(conf, `${base}\nlistener ${port} 127.0.0.1\n`);
  const proc: ChildProcess = spawn(mosquittoBinary(), ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr?.on('data', (d) => (stderr += d));
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
    throw new Error(`${NO_MOSQUITTO_HELP}\n${(err as Error).message}\n${stderr}`);
  }
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
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
