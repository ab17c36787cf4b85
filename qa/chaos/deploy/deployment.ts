import { setTimeout as sleep } from 'node:timers/promises';
import { reapChildren } from '../../../lib/process/children.js';
import { startMosquitto, type Mosquitto } from '../../../lib/process/mosquitto.js';
import { startRedisServer, type RedisServer } from '../../../lib/process/redis-server.js';
import { startServiceProcess, type ServiceProcess } from '../../../lib/process/service-process.js';
import type { ModeSpec } from '../modes.js';

/** The processes of one mode, started for one run and torn down after it. */
export interface Deployment {
  mode: ModeSpec;
  /** `svc-a` (and `svc-b`): fixed HTTP and MQTT ports for the run, restarts keep them. */
  services: ServiceProcess[];
  /** redis-server with an append-only file: kill() and start() keep its data, freeze() / thaw() hang it. */
  redis: RedisServer | null;
  /** Mosquitto, persistent: restart() keeps its sessions and queues. */
  mosquitto: Mosquitto | null;
  /** Where car `i` connects: its instance's embedded broker (cars spread evenly), or Mosquitto. */
  carUrl(i: number): string;
  /** Every instance answers /readyz 200 within `timeoutMs` (polled); the time it took, or null. */
  waitAllReady(timeoutMs: number): Promise<number | null>;
  /** HTTP URL of an instance answering /readyz; restarts the first one if none does (noted). */
  readableHttpUrl(notes: string[]): Promise<string>;
  describe(): Array<{ name: string; role: string; pid: number | undefined; http?: string; mqtt?: string }>;
  close(): Promise<void>;
}

export interface DeployOptions {
  /** More environment for every service instance, over the mode's (a scenario's limits, say). */
  env?: Record<string, string>;
}

/**
 * Starts `mode` as real OS processes on loopback (lib/process/): redis-server (append-only file), then
 * Mosquitto (persistent), then the service instances, each with fixed HTTP and MQTT ports for the run.
 */
export async function deploy(mode: ModeSpec, opts: DeployOptions = {}): Promise<Deployment> {
  let redis: RedisServer | null = null;
  let mosquitto: Mosquitto | null = null;
  const services: ServiceProcess[] = [];
  const close = async () => {
    await Promise.all(services.map((s) => s.close().catch(() => {})));
    await mosquitto?.close().catch(() => {});
    await redis?.close().catch(() => {});
    // After a teardown nothing of ours may still run.
    reapChildren();
  };
  try {
    if (mode.redis) redis = await startRedisServer({ appendonly: true });
    if (mode.broker === 'mosquitto') mosquitto = await startMosquitto({ persistent: true });
    const names = mode.instances === 1 ? ['svc-a'] : ['svc-a', 'svc-b'];
    for (const name of names) {
      const env: Record<string, string> = {};
      if (redis) env.REDIS_URL = redis.url;
      if (mosquitto) env.MQTT_URL = mosquitto.url;
      if (mode.sharedGroup) env.MQTT_SHARED_GROUP = mode.sharedGroup;
      if (mode.clientId) env.MQTT_CLIENT_ID = `anshin-chaos-${name}`;
      // One at a time: two service start-ups at once on two loaded cores only slow both.
      services.push(await startServiceProcess(name, { env: { ...env, ...opts.env } }));
    }
  } catch (err) {
    await close();
    throw err;
  }
  const brokerUrls = mosquitto ? [mosquitto.url] : services.map((s) => s.mqttUrl!);
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
      for (const s of services) if (await s.ready(3_000)) return s.httpUrl;
      const first = services[0]!;
      if (!first.running) {
        notes.push(`no instance was ready to read the cases; ${first.name} was down and was started again to read them`);
        await first.restart();
        return first.httpUrl;
      }
      notes.push(`no instance answered /readyz 200; read the cases from ${first.name} anyway`);
      return first.httpUrl;
    },
    describe: () => [
      ...(redis ? [{ name: 'redis-server', role: 'redis', pid: redis.pid, http: redis.url }] : []),
      ...(mosquitto ? [{ name: 'mosquitto', role: 'broker', pid: mosquitto.pid, mqtt: mosquitto.url }] : []),
      ...services.map((s) => ({ name: s.name, role: 'service', pid: s.pid, http: s.httpUrl, ...(s.mqttUrl ? { mqtt: s.mqttUrl } : {}) })),
    ],
    close,
  };
}
