import { startRedisServer, type RedisServer } from '../../../lib/process/redis-server.js';
import { pidAlive } from './children.js';
import { sleep } from './service.js';

/** redis-server with an append-only file in a temp dir of its own, on one port for the whole run. */
export interface ChaosRedis {
  readonly url: string;
  readonly pid: number | undefined;
  /** SIGSTOP: the process stays, its sockets stay open, nothing answers (a frozen Redis). */
  freeze(): void;
  /** SIGCONT after freeze(). */
  thaw(): void;
  /** SIGKILL, no chance to flush anything more than it already wrote; resolves once it is gone. */
  kill(): Promise<void>;
  /** Starts it again on the same port with the same data dir (it reloads the append-only file). */
  start(): Promise<{ readyMs: number }>;
  close(): Promise<void>;
}

/** Wraps lib/process/redis-server.ts `startRedisServer({appendonly: true})`. */
export async function startChaosRedis(): Promise<ChaosRedis> {
  const server: RedisServer = await startRedisServer({ appendonly: true });
  let frozen = false;
  const signal = (s: NodeJS.Signals) => {
    const pid = server.pid;
    if (pid !== undefined) process.kill(pid, s);
  };
  return {
    get url() {
      return server.url;
    },
    get pid() {
      return server.pid;
    },
    freeze() {
      signal('SIGSTOP');
      frozen = true;
    },
    thaw() {
      if (!frozen) return;
      frozen = false;
      signal('SIGCONT');
    },
    async kill() {
      const pid = server.pid;
      signal('SIGKILL');
      const deadline = performance.now() + 5_000;
      while ((pidAlive(pid) || server.running) && performance.now() < deadline) await sleep(10);
      if (server.running) throw new Error(`redis-server ${pid} still running 5 s after SIGKILL`);
    },
    async start() {
      const t0 = performance.now();
      await server.start();
      return { readyMs: Math.round(performance.now() - t0) };
    },
    async close() {
      if (frozen) signal('SIGCONT');
      await server.close();
    },
  };
}
