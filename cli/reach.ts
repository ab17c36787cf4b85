import { Buffer } from 'node:buffer';
import { connect } from 'node:net';
import { checkMqttUrl } from './options.js';

/** How long a command waits for the broker or the API before it says so: well within 2 s. */
export const REACH_TIMEOUT_MS = 1500;
const START_HINT = 'Is the stack running? Start it with `npm start` (or `anshin start`) in another terminal';

/** MQTT 3.1.1 CONNECT, clean session, keep-alive 10 s, client id `anshin-probe-<pid>` (at most 23 characters). */
function connectPacket(): Buffer {
  const id = Buffer.from(`anshin-probe-${process.pid}`.slice(0, 23));
  const body = Buffer.concat([Buffer.from([0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 0x02, 0, 10, 0, id.length]), id]);
  return Buffer.concat([Buffer.from([0x10, body.length]), body]);
}

type Probe = { down: string } | { notMqtt: string } | null;

/**
 * Why `host:port` is no MQTT broker, or null. Nothing listening (refused, no answer) fails; so does a
 * server that answers a CONNECT with something other than a CONNACK (the HTTP port given as `--url`).
 * Over TLS, and when a broker is slow to answer, only the TCP connection is checked: the car's own
 * connect has its own, longer, timeout.
 */
function brokerProbe(host: string, port: number, tls: boolean, timeoutMs: number): Promise<Probe> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let connected = false;
    const done = (reason: Probe) => {
      clearTimeout(timer);
      if (connected && reason === null && !tls) socket.end(Buffer.from([0xe0, 0]), () => socket.destroy()); // DISCONNECT
      else socket.destroy();
      resolve(reason);
    };
    const timer = setTimeout(() => done(connected ? null : { down: `no answer within ${timeoutMs / 1000} s` }), timeoutMs);
    socket.once('connect', () => {
      connected = true;
      if (tls) done(null);
      else socket.write(connectPacket());
    });
    socket.once('data', (data: Buffer) => {
      const text = data.subarray(0, 12).toString('latin1');
      done(data[0] === 0x20 ? null : { notMqtt: /^HTTP\//.test(text) ? 'an HTTP server answers there; the broker has a port of its own (1883 by default)' : 'what answers there is not an MQTT broker' });
    });
    socket.once('error', (err: NodeJS.ErrnoException) => done({ down: err.code === 'ECONNREFUSED' ? 'connection refused' : (err.code ?? err.message) }));
  });
}

/**
 * Fails at once (exit 1) when no broker answers at the URL, instead of letting MQTT.js retry until
 * its connect timeout.
 */
export async function checkBroker(url: string, timeoutMs = REACH_TIMEOUT_MS): Promise<void> {
  const u = new URL(url);
  const tls = u.protocol === 'mqtts:';
  const port = Number(u.port || (tls ? 8883 : 1883));
  const probe = await brokerProbe(u.hostname.replace(/^\[|\]$/g, ''), port, tls, timeoutMs);
  if (probe && 'down' in probe) throw new Error(`no connection to the MQTT broker at ${url} (${probe.down}). ${START_HINT}, or pass --url.`);
  if (probe) throw new Error(`no MQTT broker at ${url}: ${probe.notMqtt}. Pass the broker's address as --url.`);
}

/** Why the anshin HTTP API at `httpUrl` does not answer `/healthz`, or null when it does. */
export async function apiProblem(httpUrl: string, timeoutMs = REACH_TIMEOUT_MS): Promise<string | null> {
  try {
    const res = await fetch(new URL('/healthz', httpUrl), { signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return res.ok ? null : `/healthz answered ${res.status}`;
  } catch (err) {
    const e = err as Error & { cause?: NodeJS.ErrnoException };
    if (e.name === 'TimeoutError') return `no answer within ${timeoutMs / 1000} s`;
    return e.cause?.code === 'ECONNREFUSED' ? 'connection refused' : (e.cause?.code ?? e.cause?.message ?? e.message);
  }
}

/** Fails at once (exit 1) with a hint when the API is not there. */
export async function checkApi(httpUrl: string, timeoutMs = REACH_TIMEOUT_MS): Promise<void> {
  const reason = await apiProblem(httpUrl, timeoutMs);
  if (reason) throw new Error(`no answer from the anshin HTTP API at ${httpUrl} (${reason}). ${START_HINT}, or pass --http-url.`);
}

/**
 * A command's start-up check, run while its action module loads: a bad `--url` is a usage error
 * (exit 2), an unreachable broker or API a failure (exit 1) with a hint, both before anything waits.
 */
export async function reachable(targets: { mqtt?: string | undefined; http?: string | undefined }): Promise<void> {
  if (targets.mqtt !== undefined) checkMqttUrl(targets.mqtt);
  await Promise.all([targets.mqtt !== undefined ? checkBroker(targets.mqtt) : undefined, targets.http !== undefined ? checkApi(targets.http) : undefined]);
}
