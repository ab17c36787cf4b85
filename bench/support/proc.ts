import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort, until } from '../../lib/process/free-port.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const live = new Set<ChildProcess>();
let hooked = false;

/** Kills what the bench started if the bench itself is stopped (Ctrl-C) or crashes. */
export function track(proc: ChildProcess): void {
  live.add(proc);
  proc.once('exit', () => live.delete(proc));
  if (hooked) return;
  hooked = true;
  process.once('exit', () => {
    for (const p of live) p.kill('SIGKILL');
  });
}

/** Resident set size of a process in bytes, from /proc (Linux). */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(status);
  return m ? Number(m[1]) * 1024 : 0;
}

/** CPU time (user + system) a process has used so far, in milliseconds, from /proc/<pid>/stat. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[11] = utime, fields[12] = stime (clock ticks; 100 per second on Linux)
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

export interface StackProcess {
  name: string;
  pid: number;
  httpUrl: string;
  /** The embedded broker of this process, when it runs one. */
  mqttUrl: string | null;
  log(): string;
  /** Set when the process ended before close() was called: how, and when. */
  readonly unexpectedExit: { code: number | null; signal: string | null; at: string } | null;
  close(): Promise<void>;
}

export interface StackProcessOptions {
  /** Environment for cli/start.ts (MQTT_URL, REDIS_URL, ...). HTTP_PORT and MQTT_PORT are chosen here. */
  env: Record<string, string>;
  /** Embedded broker in this process (no MQTT_URL in env). */
  embeddedBroker: boolean;
  /** Extra node flags, e.g. --cpu-prof --cpu-prof-dir=… */
  nodeArgs?: string[];
}

/**
 * The whole stack (`cli/start.ts`, as `npm start` runs it) as its own OS process: the bench keeps
 * its thousands of simulated cars in its own process, so the two share the machine's two cores and
 * the service's figures are not polluted by the cars' work (and vice versa).
 */
export async function startStackProcess(name: string, opts: StackProcessOptions): Promise<StackProcess> {
  const httpPort = await freePort();
  const mqttPort = opts.embeddedBroker ? await freePort() : 0;
  const httpUrl = `http://127.0.0.1:${httpPort}`;
  let output = '';
  const proc: ChildProcess = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', 'cli/start.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      LOG_LEVEL: 'info',
      ...opts.env,
      HTTP_PORT: String(httpPort),
      ...(opts.embeddedBroker ? { MQTT_PORT: String(mqttPort) } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Logs are drained (a full pipe would stall the service) but only the tail is kept.
  const keep = (d: Buffer) => {
    output += d.toString();
    if (output.length > 20_000) output = output.slice(-10_000);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  track(proc);
  let closing = false;
  let unexpectedExit: StackProcess['unexpectedExit'] = null;
  const exited = new Promise<void>((resolve) =>
    proc.once('exit', (code, signal) => {
      if (!closing) unexpectedExit = { code, signal, at: new Date().toISOString() };
      resolve();
    }),
  );
  try {
    await until(async () => proc.exitCode === null && (await fetch(`${httpUrl}/readyz`)).ok, 60_000, `${name} ready`);
  } catch (err) {
    proc.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\n${output.slice(-3000)}`);
  }
  return {
    name,
    pid: proc.pid!,
    httpUrl,
    mqttUrl: opts.embeddedBroker ? `mqtt://127.0.0.1:${mqttPort}` : null,
    log: () => output,
    get unexpectedExit() {
      return unexpectedExit;
    },
    async close() {
      closing = true;
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGKILL');
        await exited;
      }
    },
  };
}
