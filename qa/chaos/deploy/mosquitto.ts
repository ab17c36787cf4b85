import { startMosquitto, type Mosquitto } from '../../../lib/process/mosquitto.js';

/** Mosquitto with `infra/mosquitto.conf` and persistence in a dir of its own, one port for the run. */
export interface ChaosMosquitto {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Graceful restart (SIGTERM: it saves sessions and queues), down for `downMs`, same port. */
  restart(downMs: number): Promise<{ restartMs: number }>;
  close(): Promise<void>;
}

/** Wraps lib/process/mosquitto.ts `startMosquitto({persistent: true})`. */
export async function startChaosMosquitto(): Promise<ChaosMosquitto> {
  const broker: Mosquitto = await startMosquitto({ persistent: true });
  return {
    url: broker.url,
    port: broker.port,
    get pid() {
      return broker.pid;
    },
    async restart(downMs) {
      const t0 = performance.now();
      await broker.restart(downMs);
      return { restartMs: Math.round(performance.now() - t0) };
    },
    close: () => broker.close(),
  };
}
