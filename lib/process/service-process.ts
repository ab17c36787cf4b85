/**
 * One service instance as its own OS process, as `npm start` runs it: the one way the tests, the
 * bench and the chaos suite start, signal, restart and stop the service. From the TypeScript sources
 * (vitest, tsx) it runs `node --import tsx cli/start.ts`, so tests always run fresh sources; from the
 * build it runs `node dist/cli/start.js`, so the shipped `anshin bench` / `anshin chaos` measure the
 * compiled service.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { stopChild, trackChild, type StopResult } from './children.js';
import { freePort } from './free-port.js';
import { PROJECT_ROOT, serverEntryArgs } from '../paths.js';

export type { StopResult } from './children.js';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** ISO time of the exit. */
  at: string;
}

export interface ServiceProcessOptions {
  /** The service's environment (REDIS_URL, MQTT_URL, LOG_LEVEL …); PATH and HOME are passed on, LOG_LEVEL is `warn` unless set. Ports go in `httpPort` / `mqttPort`. */
  env?: Record<string, string>;
  /** HTTP port; default: a free loopback port. Kept across restarts either way. */
  httpPort?: number;
  /** The embedded broker's port; default: a free loopback port. Not used with `MQTT_URL` (external broker). */
  mqttPort?: number;
  /** Node flags before the entry point, e.g. `--cpu-prof`. */
  nodeArgs?: string[];
  /** After SIGTERM (or another signal but SIGKILL), how long it may take to exit before it is SIGKILLed (10 s). */
  shutdownGraceMs?: number;
  /** How long a start may take until /readyz answers 200 (30 s); past it the process is killed. */
  readyTimeoutMs?: number;
  /** Output kept for log(): the last this many characters (32,000); the rest is drained and dropped. */
  logChars?: number;
}

export interface ServiceProcess {
  readonly name: string;
  readonly httpUrl: string;
  readonly httpPort: number;
  /** The embedded broker (same port after every restart), or null on an external broker. */
  readonly mqttUrl: string | null;
  readonly mqttPort: number | null;
  /** The environment it runs with, ports included. */
  readonly env: Readonly<Record<string, string>>;
  /** Pid of the running process; undefined once it ended. */
  readonly pid: number | undefined;
  readonly running: boolean;
  /** How the last process ended, or null. */
  readonly lastExit: ExitInfo | null;
  /** Exits nobody asked for (crash, or a signal from outside): not after kill(), restart() or close(). */
  readonly unexpectedExits: readonly ExitInfo[];
  /** The tail of its stdout and stderr, for failure messages. */
  log(): string;
  /** GET /readyz answered 200 within `timeoutMs` (a frozen Redis can make it hang: that is "not ready"). */
  ready(timeoutMs?: number): Promise<boolean>;
  /** Prometheus text of /metrics. */
  metrics(): Promise<string>;
  /** Sends `signal` (default SIGKILL) and waits for the exit; SIGKILL after the shutdown grace. */
  kill(signal?: NodeJS.Signals): Promise<StopResult>;
  /** Stops it if it runs (SIGTERM), then starts it again with the same environment and ports, until /readyz answers 200. */
  restart(): Promise<{ readyMs: number }>;
  /** SIGTERM, SIGKILL after the shutdown grace. */
  close(): Promise<void>;
}

/** One launch of the process: whether its end was asked for, and its exit. */
interface Run {
  proc: ChildProcess;
  /** kill(), restart() or close() asked for its end. */
  expected: boolean;
  /** Not ready yet: an exit now is the start's failure, thrown by it. */
  starting: boolean;
  exit: ExitInfo | null;
  exited: Promise<ExitInfo>;
}

const PORT_IN_USE = /already in use/;

/**
 * Starts the service as its own process and resolves once `/readyz` answers 200. Tracked: it never
 * outlives this process (children.ts). A first start that fails is killed and throws with the log's
 * tail; one that lost a free port to someone else in between is tried again on fresh ports.
 */
export async function startServiceProcess(name: string, options: ServiceProcessOptions = {}): Promise<ServiceProcess> {
  const env = options.env ?? {};
  for (const key of ['HTTP_PORT', 'MQTT_PORT']) {
    if (key in env) throw new Error(`startServiceProcess(${name}): set ${key} with the httpPort / mqttPort options, not in env`);
  }
  const embedded = !env.MQTT_URL;
  const graceMs = options.shutdownGraceMs ?? 10_000;
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
  const logChars = options.logChars ?? 32_000;
  let httpPort = 0;
  let mqttPort: number | null = null;
  let fullEnv: Record<string, string> = {};
  let output = '';
  let run: Run | null = null;
  let lastExit: ExitInfo | null = null;
  const unexpectedExits: ExitInfo[] = [];
  const httpUrl = () => `http://127.0.0.1:${httpPort}`;
  const keep = (d: Buffer) => {
    output += d.toString();
    if (output.length > 2 * logChars) output = output.slice(-logChars);
  };
  const tail = () => output.slice(-3_000);

  const ready = async (timeoutMs = 1_000): Promise<boolean> => {
    try {
      const res = await fetch(`${httpUrl()}/readyz`, { signal: AbortSignal.timeout(timeoutMs) });
      await res.arrayBuffer();
      return res.ok;
    } catch {
      return false;
    }
  };

  const launch = async (): Promise<{ readyMs: number }> => {
    const t0 = performance.now();
    const proc = spawn(process.execPath, [...(options.nodeArgs ?? []), ...serverEntryArgs()], { cwd: PROJECT_ROOT, env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    trackChild(proc);
    // Logs are drained (a full pipe would stall the service), only the tail is kept.
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    const current: Run = {
      proc,
      expected: false,
      starting: true,
      exit: null,
      exited: new Promise((resolve) => {
        proc.once('error', (err) => keep(Buffer.from(`\nspawn error: ${err.message}\n`)));
        proc.once('exit', (code, signal) => {
          const info = { code, signal, at: new Date().toISOString() };
          current.exit = lastExit = info;
          if (!current.expected && !current.starting) unexpectedExits.push(info);
          resolve(info);
        });
      }),
    };
    run = current;
    const deadline = performance.now() + readyTimeoutMs;
    // The exit is looked at before and after each probe: a port taken by someone else may answer too.
    for (;;) {
      if (!current.exit && (await ready(1_000)) && !current.exit) break;
      const exit = current.exit;
      if (exit) {
        throw Object.assign(new Error(`${name} exited while starting (${exit.signal ?? `code ${exit.code}`})\n${tail()}`), { portInUse: PORT_IN_USE.test(tail()) });
      }
      if (performance.now() > deadline) {
        current.expected = true;
        await stopChild(proc, 'SIGKILL');
        throw new Error(`${name}: /readyz not 200 within ${readyTimeoutMs} ms; killed\n${tail()}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    current.starting = false;
    return { readyMs: Math.round(performance.now() - t0) };
  };

  const stop = async (signal: NodeJS.Signals): Promise<StopResult> => {
    const current = run;
    if (!current || current.proc.exitCode !== null || current.proc.signalCode !== null) return { exitMs: 0, forced: false };
    current.expected = true;
    const result = await stopChild(current.proc, signal, graceMs);
    await current.exited;
    return result;
  };

  // Ports chosen free can be taken by someone else before the service binds them: try fresh ones.
  for (let attempt = 1; ; attempt++) {
    httpPort = options.httpPort ?? (await freePort());
    mqttPort = embedded ? (options.mqttPort ?? (await freePort())) : null;
    fullEnv = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      LOG_LEVEL: 'warn',
      ...env,
      HTTP_PORT: String(httpPort),
      ...(mqttPort !== null ? { MQTT_PORT: String(mqttPort) } : {}),
    };
    try {
      await launch();
      break;
    } catch (err) {
      const fixed = options.httpPort !== undefined && (!embedded || options.mqttPort !== undefined);
      if (attempt >= 3 || fixed || !(err as { portInUse?: boolean }).portInUse) throw err;
    }
  }

  return {
    name,
    httpUrl: httpUrl(),
    httpPort,
    mqttUrl: mqttPort !== null ? `mqtt://127.0.0.1:${mqttPort}` : null,
    mqttPort,
    env: fullEnv,
    get pid() {
      const proc = run?.proc;
      return proc && proc.exitCode === null && proc.signalCode === null ? proc.pid : undefined;
    },
    get running() {
      const proc = run?.proc;
      return proc !== undefined && proc.exitCode === null && proc.signalCode === null;
    },
    get lastExit() {
      return lastExit;
    },
    unexpectedExits,
    log: () => output.slice(-logChars),
    ready,
    metrics: async () => (await fetch(`${httpUrl()}/metrics`)).text(),
    kill: (signal = 'SIGKILL') => stop(signal),
    async restart() {
      await stop('SIGTERM');
      return launch();
    },
    async close() {
      await stop('SIGTERM');
    },
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

/** A Prometheus counter by one label's value (`{kind="busy"}` -> `{ busy: n }`), zero series left out. */
export function counterByLabel(metricsText: string, name: string, label: string): Record<string, number> {
  const out: Record<string, number> = {};
  const pattern = new RegExp(`^${name}\\{[^}]*\\b${label}="([^"]*)"[^}]*\\} (\\S+)$`);
  for (const line of metricsText.split('\n')) {
    const m = pattern.exec(line);
    if (m && Number(m[2]) > 0) out[m[1]!] = (out[m[1]!] ?? 0) + Number(m[2]);
  }
  return out;
}
