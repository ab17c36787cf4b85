import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { stopChild, trackChild } from './children.js';
import { freePort, until } from './free-port.js';
import { projectPath } from '../paths.js';

export interface Mosquitto {
  url: string;
  port: number;
  /** Process id of the running broker (the bench reads its memory). */
  readonly pid: number;
  /** Stops it gracefully (it saves sessions and queues when persistent) and starts it on the same port. */
  restart(downMs?: number): Promise<void>;
  /** SIGHUP: Mosquitto reads its password and ACL files again (and drops clients whose password changed). */
  reload(): void;
  close(): Promise<void>;
}

export interface MosquittoOptions {
  /** Keep sessions, subscriptions and queued QoS 1 messages on disk across a restart. */
  persistent?: boolean;
  /**
   * AUTH (issue 11): no anonymous clients; users from this `password_file` (mosquitto_passwd format,
   * infra/mqtt-credentials.mjs writes it), rights from `aclFile` (default infra/mosquitto-acl.conf).
   */
  auth?: { passwordFile: string; aclFile?: string };
}

export const NO_MOSQUITTO_HELP = 'No mosquitto for the external-broker tests: apt-get install -y mosquitto';

function mosquittoBinary(): string {
  for (const p of ['/usr/sbin/mosquitto', '/usr/bin/mosquitto', '/usr/local/sbin/mosquitto']) if (existsSync(p)) return p;
  return 'mosquitto';
}

/**
 * Mosquitto, the external broker of the tests, the bench and the chaos suite, on a free loopback port
 * with `infra/mosquitto.conf` and a persistence dir of its own (a shared one would hand this broker the
 * sessions of another). Tracked: it never outlives this process (children.ts).
 */
export async function startMosquitto(options: MosquittoOptions = {}): Promise<Mosquitto> {
  const dir = await mkdtemp(join(tmpdir(), 'anshin-mosquitto-'));
  const port = await freePort();
  let base = await readFile(projectPath('infra', 'mosquitto.conf'), 'utf8');
  // Persistence in a directory of the test's own; started as root, mosquitto would drop to its own
  // user, which cannot write there: stay who we are.
  base = base.replace(/^persistence_location .*$/m, `persistence_location ${dir}/\nuser ${userInfo().username}`);
  if (!options.persistent) base = base.replace(/^persistence true$/m, 'persistence false');
  if (options.auth) {
    const acl = options.auth.aclFile ?? projectPath('infra', 'mosquitto-acl.conf');
    base = `${base.replace(/^allow_anonymous true$/m, 'allow_anonymous false')}\npassword_file ${options.auth.passwordFile}\nacl_file ${acl}\n`;
  }
  const conf = join(dir, 'mosquitto.conf');
  await writeFile(conf, `${base}\nlistener ${port} 127.0.0.1\n`);
  let proc!: ChildProcess;
  let stderr = '';
  const launch = async () => {
    proc = spawn(mosquittoBinary(), ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    trackChild(proc);
    proc.stderr?.on('data', (d) => (stderr += d));
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
      await stopChild(proc, 'SIGKILL');
      throw new Error(`${NO_MOSQUITTO_HELP}\n${(err as Error).message}\n${stderr}`);
    }
  };
  const stop = () => stopChild(proc, 'SIGTERM', 3_000);
  await launch();
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    get pid() {
      return proc.pid ?? 0;
    },
    reload() {
      proc.kill('SIGHUP');
    },
    async restart(downMs = 500) {
      await stop();
      await new Promise((r) => setTimeout(r, downMs));
      await launch();
    },
    async close() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
