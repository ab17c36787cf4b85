/**
 * A real Redis for integration tests (STYLE 9), found in this order:
 * 1. `REDIS_URL` when set (CI service, a developer's own Redis);
 * 2. a `redis:7` container through testcontainers when a Docker engine answers;
 * 3. `redis-server` from PATH on a free loopback port, in its own temp dir, stopped afterwards.
 * Otherwise it fails with a message saying how to get one.
 *
 * Vitest's globalSetup starts one for the whole run (`provideRedis`) and hands its URL to the workers
 * with `project.provide`; tests read it with `testRedis()`. Tests that stop and restart Redis start
 * their own server with `startRedisServer()`. Each test keeps to its own keys with `uniquePrefix()`.
 * No vitest import here: the global set-up (main process) loads this file too; see redis.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const NO_REDIS_HELP =
  'No Redis for the integration tests: install redis-server (`apt-get install -y redis-server`), ' +
  'start a Docker engine, or set REDIS_URL=redis://host:port.';

export interface TestRedis {
  url: string;
  kind: 'env' | 'container' | 'process';
  close(): Promise<void>;
}

/** Finds or starts a Redis (see the file comment). */
export async function acquireRedis(): Promise<TestRedis> {
  const fromEnv = process.env.REDIS_URL;
  if (fromEnv) return { url: fromEnv, kind: 'env', close: async () => {} };
  if (await dockerAnswers()) return startContainer();
  if (await onPath('redis-server')) {
    const server = await startRedisServer();
    return { url: server.url, kind: 'process', close: () => server.close() };
  }
  throw new Error(NO_REDIS_HELP);
}

/**
 * For vitest's globalSetup: starts one Redis for the run and never fails the run (unit tests need none).
 * Skipped when every file filter on the command line is under tests/unit.
 */
export async function provideRedis(project: {
  provide: (key: 'redisUrl' | 'redisUnavailable', value: string) => void;
}): Promise<() => Promise<void>> {
  const filters = process.argv.slice(2).filter((a) => a.startsWith('tests/'));
  if (filters.length > 0 && filters.every((f) => f.startsWith('tests/unit'))) {
    project.provide('redisUnavailable', 'this run selected unit tests only, so the global set-up started no Redis');
    return async () => {};
  }
  try {
    const redis = await acquireRedis();
    project.provide('redisUrl', redis.url);
    return () => redis.close();
  } catch (err) {
    project.provide('redisUnavailable', err instanceof Error ? err.message : String(err));
    return async () => {};
  }
}

/** A key prefix of its own for one test, so tests sharing one Redis never see each other's keys. */
export function uniquePrefix(label = 't'): string {
  return `test:${label}:${randomUUID().slice(0, 8)}:`;
}

// ---------------------------------------------------------------------------------------------
// redis-server as a child process

export interface RedisServerOptions {
  /** Keep data over stop()/start() with an append-only file in the server's temp dir. */
  appendonly?: boolean;
}

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  readonly running: boolean;
  /** Process id while running (e.g. to SIGSTOP it and simulate a Redis that hangs). */
  readonly pid: number | undefined;
  /** Starts it again on the same port (after stop()). */
  start(): Promise<void>;
  /** Stops the process (SIGTERM, SIGKILL after 5 s); the port stays reserved for start(). */
  stop(): Promise<void>;
  /** Stops it and removes its temp dir. */
  close(): Promise<void>;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Starts `redis-server` from PATH on a free loopback port, in a temp dir of its own. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  if (!(await onPath('redis-server'))) throw new Error(NO_REDIS_HELP);
  installExitHook();
  const dir = await mkdtemp(join(tmpdir(), 'anshin-redis-'));
  let child: ChildProcess | null = null;
  let port = 0;

  const launch = async (): Promise<void> => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir, '--daemonize', 'no'];
    args.push('--appendonly', options.appendonly ? 'yes' : 'no', '--loglevel', 'warning');
    const proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    proc.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
    proc.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
    live.add(proc);
    proc.once('exit', () => live.delete(proc));
    child = proc;
    try {
      await waitForPong(port, proc, 10_000);
    } catch (err) {
      await kill(proc);
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
      if (child) await kill(child);
      child = null;
    },
    async close() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return server;
}

async function kill(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Never leave a redis-server behind, even when a test run dies.
  process.once('exit', () => {
    for (const proc of live) proc.kill('SIGKILL');
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
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

async function onPath(command: string): Promise<boolean> {
  const dirs = (process.env.PATH ?? '').split(':').filter(Boolean);
  return dirs.some((d) => existsSync(join(d, command)));
}

// ---------------------------------------------------------------------------------------------
// testcontainers

/** True when a Docker engine answers within 3 s (the docker CLI alone is not enough). */
async function dockerAnswers(): Promise<boolean> {
  const socket = process.env.DOCKER_HOST ?? '';
  if (!socket && !existsSync('/var/run/docker.sock') && !existsSync(join(process.env.HOME ?? '', '.docker/run/docker.sock'))) {
    return false; // nothing to ask: skip loading testcontainers at all
  }
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('docker did not answer')), 3_000);
    });
    try {
      await Promise.race([getContainerRuntimeClient(), timeout]);
    } finally {
      clearTimeout(timer);
    }
    return true;
  } catch {
    return false;
  }
}

async function startContainer(): Promise<TestRedis> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer('redis:7')
    .withCommand(['redis-server', '--save', '', '--appendonly', 'no'])
    .withExposedPorts(6379)
    .withWaitStrategy(Wait.forLogMessage('Ready to accept connections'))
    .withStartupTimeout(60_000)
    .start();
  return {
    url: `redis://${container.getHost()}:${container.getMappedPort(6379)}`,
    kind: 'container',
    close: async () => {
      await container.stop();
    },
  };
}
