/**
 * `redis-server` from PATH as a child process on a free loopback port, in a temp dir of its own, which
 * can be stopped (SIGTERM) or killed (SIGKILL), frozen (SIGSTOP) and thawed, and started again on the
 * same port with its data (appendonly). Tracked: it never outlives this process (children.ts). Used by
 * the tests, the bench and the chaos suite.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopChild, trackChild, type StopResult } from './children.js';
import { freePort } from './free-port.js';

export const NO_REDIS_HELP =
  'No Redis: install redis-server (`apt-get install -y redis-server`), start a Docker engine (tests), or set REDIS_URL=redis://host:port.';

export interface RedisServerOptions {
  /** Keep data over stop()/start() with an append-only file in the server's temp dir. */
  appendonly?: boolean;
}

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  readonly running: boolean;
  /** Process id while running (the bench reads its memory). */
  readonly pid: number | undefined;
  /** Starts it again on the same port (after stop() or kill()), with its data when appendonly. */
  start(): Promise<void>;
  /** Stops the process (SIGTERM, SIGKILL after 5 s); the port stays reserved for start(). */
  stop(): Promise<void>;
  /** Sends `signal` (default SIGKILL: no chance to write more than it has) and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<StopResult>;
  /** SIGSTOP: the process stays, its sockets stay open, nothing answers (a Redis that hangs). */
  freeze(): void;
  /** SIGCONT after freeze(). */
  thaw(): void;
  /** Stops it (thawed first) and removes its temp dir. */
  close(): Promise<void>;
}

/** Starts `redis-server` from PATH on a free loopback port, in a temp dir of its own. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  if (!(await onPath('redis-server'))) throw new Error(NO_REDIS_HELP);
  const dir = await mkdtemp(join(tmpdir(), 'anshin-redis-'));
  let child: ChildProcess | null = null;
  let port = 0;
  let frozen = false;

  const launch = async (): Promise<void> => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir, '--daemonize', 'no'];
    args.push('--appendonly', options.appendonly ? 'yes' : 'no', '--loglevel', 'warning');
    const proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    proc.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
    proc.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
    trackChild(proc);
    child = proc;
    frozen = false;
    try {
      await waitForPong(port, proc, 10_000);
    } catch (err) {
      await stopChild(proc, 'SIGTERM', 5_000);
      throw new Error(`redis-server did not start on port ${port}: ${(err as Error).message}\n${output}`);
    }
  };

  // A free port can be taken between probing and binding: try a few.
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    try {
      await launch();
      break;
    } catch (err) {
      if (attempt >= 3) {
        await rm(dir, { recursive: true, force: true });
        throw err;
      }
    }
  }

  const server: RedisServer = {
    get url() {
      return `redis://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    get pid() {
      return server.running ? child?.pid : undefined;
    },
    get running() {
      return child !== null && child.exitCode === null && child.signalCode === null;
    },
    async start() {
      if (server.running) return;
      await launch();
    },
    async stop() {
      await server.kill('SIGTERM');
    },
    async kill(signal = 'SIGKILL') {
      // stopChild thaws a frozen server after any signal but SIGKILL, which needs no thawing.
      const result = child ? await stopChild(child, signal, 5_000) : { exitMs: 0, forced: false };
      child = null;
      frozen = false;
      return result;
    },
    freeze() {
      if (!server.running || frozen) return;
      child!.kill('SIGSTOP');
      frozen = true;
    },
    thaw() {
      if (!frozen) return;
      frozen = false;
      if (server.running) child!.kill('SIGCONT');
    },
    async close() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return server;
}

/** Resolves once the server answers PING (a raw RESP exchange; no client needed). */
async function waitForPong(port: number, proc: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`exited with code ${proc.exitCode}`);
    if (await pingOnce(port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no PONG within ${timeoutMs} ms`);
}

function pingOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => {
      reply += d.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

export async function onPath(command: string): Promise<boolean> {
  const dirs = (process.env.PATH ?? '').split(':').filter(Boolean);
  return dirs.some((d) => existsSync(join(d, command)));
}
