import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort, until } from './free-port.js';

export interface ServiceProcess {
  name: string;
  httpUrl: string;
  /** Output of the process, for failure messages. */
  log(): string;
  /** Prometheus text of /metrics. */
  metrics(): Promise<string>;
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again with the same environment (same client id, same port). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * One service instance as its own OS process (`node --import tsx cli/start.ts`), so tests can
 * SIGKILL it. Ready when `/readyz` answers 200.
 */
export async function startServiceProcess(name: string, env: Record<string, string>): Promise<ServiceProcess> {
  const port = await freePort();
  const httpUrl = `http://127.0.0.1:${port}`;
  let proc: ChildProcess;
  let output = '';
  const launch = async () => {
    proc = spawn(process.execPath, ['--import', 'tsx', 'cli/start.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'warn', ...env, HTTP_PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.stdout?.on('data', (d) => (output += d));
    proc.stderr?.on('data', (d) => (output += d));
    await until(async () => proc.exitCode === null && (await fetch(`${httpUrl}/readyz`)).ok, 30_000, `${name} ready`).catch((err) => {
      throw new Error(`${(err as Error).message}\n${output.slice(-3000)}`);
    });
  };
  const stop = async (signal: NodeJS.Signals) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill(signal);
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  };
  await launch();
  return {
    name,
    httpUrl,
    log: () => output,
    metrics: async () => (await fetch(`${httpUrl}/metrics`)).text(),
    kill: (signal = 'SIGKILL') => stop(signal),
    restart: launch,
    close: () => stop('SIGTERM'),
  };
}

/** Sum of a Prometheus counter over its labels. */
export function counterTotal(metricsText: string, name: string): number {
  let total = 0;
  for (const line of metricsText.split('\n')) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) total += Number(line.split(' ').at(-1));
  }
  return total;
}
