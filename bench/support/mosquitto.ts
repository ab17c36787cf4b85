import { startMosquitto } from '../../lib/process/mosquitto.js';
import { track } from './proc.js';

export interface BenchMosquitto {
  url: string;
  pid: number;
  close(): Promise<void>;
}

/**
 * Mosquitto with `infra/mosquitto.conf` (persistent, as deployed) on a free loopback port and a
 * persistence dir of its own: a shared persistence_location would hand this run the sessions of
 * another. The process is tracked so that a killed bench leaves no broker behind.
 */
export async function startBenchMosquitto(): Promise<BenchMosquitto> {
  const broker = await startMosquitto({ persistent: true, onSpawn: track });
  return { url: broker.url, pid: broker.pid, close: () => broker.close() };
}
