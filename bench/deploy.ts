import { randomUUID } from 'node:crypto';
import { startRedisServer, type RedisServer } from '../lib/process/redis-server.js';
import { startBenchMosquitto, type BenchMosquitto } from './support/mosquitto.js';
import type { ModeName } from './modes.js';
import { startStackProcess, type StackProcess } from './support/proc.js';


export interface DeployedProcess {
  name: string;
  role: 'stack' | 'service' | 'broker' | 'redis';
  pid: number;
}

/** One deployment under test: where cars and operators connect, and every process it consists of. */
export interface Deployment {
  mode: ModeName;
  mqttUrl: string;
  /** The operator feed is read from the first one. */
  httpUrls: string[];
  processes: DeployedProcess[];
  /** Log tails of the service processes, for failure messages. */
  logs(): string;
  /** Service processes that ended during the run without being asked to (crash, or killed from outside). */
  unexpectedExits(): Array<{ name: string; code: number | null; signal: string | null; at: string; logTail: string }>;
  close(): Promise<void>;
}

export interface DeployOptions {
  /** Extra node flags for the service processes (e.g. --cpu-prof). */
  nodeArgs?: string[];
}

/**
 * Starts one of the three modes, each service as `cli/start.ts` in its own process (what
 * `npm start` runs): embedded = aedes + service + memory store in one process; embedded-redis = the
 * same with REDIS_URL (a redis-server started here); mosquitto-2x-redis = Mosquitto, two service
 * processes sharing the events (`$share/anshin/…`, fixed client ids) and the state in Redis.
 */
export async function deploy(mode: ModeName, opts: DeployOptions = {}): Promise<Deployment> {
  const started: Array<{ close(): Promise<void> }> = [];
  const processes: DeployedProcess[] = [];
  const stacks: StackProcess[] = [];
  const closeAll = async () => {
    for (const s of started.reverse()) await s.close().catch(() => {});
  };
  try {
    let redis: RedisServer | undefined;
    if (mode !== 'embedded') {
      redis = await startRedisServer();
      started.push(redis);
      processes.push({ name: 'redis-server', role: 'redis', pid: redis.pid! });
    }
    const prefix = `bench:${randomUUID().slice(0, 8)}:`;
    const nodeArgs = opts.nodeArgs ?? [];
    if (mode === 'embedded' || mode === 'embedded-redis') {
      const env: Record<string, string> = redis ? { REDIS_URL: redis.url, REDIS_KEY_PREFIX: prefix } : {};
      const stack = await startStackProcess('stack', { env, embeddedBroker: true, nodeArgs });
      started.push(stack);
      stacks.push(stack);
      processes.push({ name: 'stack', role: 'stack', pid: stack.pid });
      return { mode, mqttUrl: stack.mqttUrl!, httpUrls: [stack.httpUrl], processes, logs: () => stack.log().slice(-3000), unexpectedExits: () => exits(stacks), close: closeAll };
    }
    const mosquitto: BenchMosquitto = await startBenchMosquitto();
    started.push(mosquitto);
    processes.push({ name: 'mosquitto', role: 'broker', pid: mosquitto.pid });
    const env = { MQTT_URL: mosquitto.url, MQTT_SHARED_GROUP: 'anshin', REDIS_URL: redis!.url, REDIS_KEY_PREFIX: prefix };
    const [a, b] = await Promise.all(
      ['a', 'b'].map((n) => startStackProcess(`service-${n}`, { env: { ...env, MQTT_CLIENT_ID: `anshin-bench-${n}` }, embeddedBroker: false, nodeArgs })),
    );
    for (const s of [a!, b!]) {
      started.push(s);
      stacks.push(s);
      processes.push({ name: s.name, role: 'service', pid: s.pid });
    }
    return {
      mode,
      mqttUrl: mosquitto.url,
      httpUrls: stacks.map((s) => s.httpUrl),
      processes,
      logs: () => stacks.map((s) => `--- ${s.name}\n${s.log().slice(-2000)}`).join('\n'),
      unexpectedExits: () => exits(stacks),
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

function exits(stacks: StackProcess[]) {
  return stacks.flatMap((s) => (s.unexpectedExit ? [{ name: s.name, ...s.unexpectedExit, logTail: s.log().slice(-1500) }] : []));
}
