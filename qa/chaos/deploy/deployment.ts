import { freePort } from '../../../lib/process/free-port.js';
import type { ModeSpec } from '../modes.js';
import { ownChildren } from './children.js';
import { startChaosMosquitto, type ChaosMosquitto } from './mosquitto.js';
import { startChaosRedis, type ChaosRedis } from './redis.js';
import { isReady, sleep, startChaosService, type ChaosService } from './service.js';

/** The processes of one mode, started for one run and torn down after it. */
export interface Deployment {
  mode: ModeSpec;
  services: ChaosService[];
  redis: ChaosRedis | null;
  mosquitto: ChaosMosquitto | null;
  /** Where car `i` connects: its instance's embedded broker (cars spread evenly), or Mosquitto. */
  carUrl(i: number): string;
  /** Every instance answers /readyz 200 within `timeoutMs` (polled); the time it took, or null. */
  waitAllReady(timeoutMs: number): Promise<number | null>;
  /** HTTP URL of an instance answering /readyz; restarts the first one if none does (noted). */
  readableHttpUrl(notes: string[]): Promise<string>;
  describe(): Array<{ name: string; role: string; pid: number | undefined; http?: string; mqtt?: string }>;
  close(): Promise<void>;
}

/**
 * Starts `mode` as real OS processes on loopback: redis-server (append-only file), then Mosquitto
 * (persistent), then the service instances, each with fixed HTTP and MQTT ports for the run.
 */
export async function deploy(mode: ModeSpec): Promise<Deployment> {
  let redis: ChaosRedis | null = null;
  let mosquitto: ChaosMosquitto | null = null;
  const services: ChaosService[] = [];
  const close = async () => {
    await Promise.all(services.map((s) => s.close().catch(() => {})));
    await mosquitto?.close().catch(() => {});
    await redis?.close().catch(() => {});
    reapLeftovers();
  };
  try {
    if (mode.redis) redis = await startChaosRedis();
    if (mode.broker === 'mosquitto') mosquitto = await startChaosMosquitto();
    const names = mode.instances === 1 ? ['svc-a'] : ['svc-a', 'svc-b'];
    for (const name of names) {
      const env: Record<string, string> = {};
      if (redis) env.REDIS_URL = redis.url;
      if (mosquitto) env.MQTT_URL = mosquitto.url;
      if (mode.sharedGroup) env.MQTT_SHARED_GROUP = mode.sharedGroup;
      if (mode.clientId) env.MQTT_CLIENT_ID = `anshin-chaos-${name}`;
      const mqttPort = mosquitto ? null : await freePort();
      // One at a time: two tsx start-ups at once on two loaded cores only slow both.
      services.push(await startChaosService(name, env, mqttPort));
    }
  } catch (err) {
    await close();
    throw err;
  }
  const brokerUrls = mosquitto ? [mosquitto.url] : services.map((s) => `mqtt://127.0.0.1:${s.mqttPort}`);
  return {
    mode,
    services,
    redis,
    mosquitto,
    carUrl: (i) => brokerUrls[i % brokerUrls.length]!,
    async waitAllReady(timeoutMs) {
      const t0 = performance.now();
      while (performance.now() - t0 < timeoutMs) {
        const states = await Promise.all(services.map((s) => s.ready(1_000)));
        if (states.every(Boolean)) return Math.round(performance.now() - t0);
        await sleep(100);
      }
      return null;
    },
    async readableHttpUrl(notes) {
      for (const s of services) if (await isReady(s.httpUrl, 3_000)) return s.httpUrl;
      const first = services[0]!;
      if (!first.alive()) {
        notes.push(`no instance was ready to read the cases; ${first.name} was down and was started again to read them`);
        await first.start();
        return first.httpUrl;
      }
      notes.push(`no instance answered /readyz 200; read the cases from ${first.name} anyway`);
      return first.httpUrl;
    },
    describe: () => [
      ...(redis ? [{ name: 'redis-server', role: 'redis', pid: redis.pid, mqtt: undefined, http: redis.url }] : []),
      ...(mosquitto ? [{ name: 'mosquitto', role: 'broker', pid: mosquitto.pid, mqtt: mosquitto.url }] : []),
      ...services.map((s) => ({
        name: s.name,
        role: 'service',
        pid: s.pid,
        http: s.httpUrl,
        ...(s.mqttPort !== null ? { mqtt: `mqtt://127.0.0.1:${s.mqttPort}` } : {}),
      })),
    ],
    close,
  };
}

/** After a teardown nothing of ours may still run: SIGKILL any child left (by pid) and say so. */
export function reapLeftovers(): number {
  let n = 0;
  for (const child of ownChildren()) {
    n++;
    for (const signal of ['SIGCONT', 'SIGKILL'] as const) {
      try {
        process.kill(child.pid, signal);
      } catch {
        // gone meanwhile
      }
    }
  }
  return n;
}
