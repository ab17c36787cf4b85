/**
 * Clients that misbehave on purpose, for the limits scenario: an MQTT client that asks for no keep-alive,
 * an HTTP request whose body stops or dribbles, an operator-feed client that never reads. Each records
 * when the service ended it and how, on `performance.now()`.
 */
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import mqtt, { type MqttClient } from 'mqtt';
import WebSocket from 'ws';

let probes = 0;

/** A connected probe, and when its connect began (the broker's idle timer starts at the connect). */
export interface MqttProbe {
  client: MqttClient;
  startedAt: number;
}

/** One MQTT 3.1.1 client, no reconnects; rejects with the CONNACK's return code as `code` when refused. */
export function mqttProbe(url: string, keepaliveS: number): Promise<MqttProbe> {
  const startedAt = performance.now();
  const client = mqtt.connect(url, { clientId: `chaos-probe-${process.pid}-${++probes}`, keepalive: keepaliveS, reconnectPeriod: 0, connectTimeout: 5_000, protocolVersion: 4 });
  // MQTT.js emits `error` on a refused CONNACK and on socket trouble: never fatal to the suite.
  client.on('error', () => {});
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve({ client, startedAt }));
    client.once('error', (err) => {
      client.end(true);
      reject(err);
    });
    client.once('close', () => reject(new Error('closed before CONNACK')));
  });
}

/** The CONNACK return code of a refused connect (3 = server unavailable), or null when it was let in (kept in `into`). */
export async function refusalCode(url: string, keepaliveS: number, into: MqttProbe[]): Promise<number | null> {
  try {
    into.push(await mqttProbe(url, keepaliveS));
    return null;
  } catch (err) {
    return (err as { code?: number }).code ?? -1;
  }
}

/** Connects, trying again while refused (a freed place shows once the broker has seen the close); null after `withinMs`. */
export async function connectWhenFree(url: string, keepaliveS: number, withinMs: number): Promise<(MqttProbe & { afterMs: number }) | null> {
  const t0 = performance.now();
  while (performance.now() - t0 < withinMs) {
    const got: MqttProbe[] = [];
    if ((await refusalCode(url, keepaliveS, got)) === null) return { ...got[0]!, afterMs: Math.round(performance.now() - t0) };
    await sleep(50);
  }
  return null;
}

/** A raw HTTP request: writes `head`, then stops, or `dribble`s one byte every 100 ms; records the answer and when the server closed. */
export function slowRequest(port: number, head: string, dribble: boolean) {
  const socket = net.connect(port, '127.0.0.1');
  const startedAt = performance.now();
  const state = { answer: '', closedAfterMs: null as number | null };
  socket.on('data', (d) => (state.answer += d.toString()));
  socket.on('error', () => {});
  socket.on('close', () => (state.closedAfterMs = Math.round(performance.now() - startedAt)));
  socket.write(head);
  const timer = dribble ? setInterval(() => socket.destroyed || socket.write('x'), 100) : undefined;
  socket.once('close', () => clearInterval(timer));
  return { state, stop: () => (clearInterval(timer), socket.destroy()) };
}

/**
 * An operator-feed client that never reads: `ws` with its socket paused the moment the upgrade answer
 * arrives, before a byte of the feed is read. `resume()` lets it read what reached it, then the close.
 */
export function nonReadingFeed(httpUrl: string) {
  const ws = new WebSocket(`${httpUrl.replace(/^http/, 'ws')}/v1/operator/ws`);
  let socket: { resume(): void } | null = null;
  ws.on('upgrade', (res) => {
    socket = res.socket;
    res.socket.pause();
  });
  let closeCode: number | null = null;
  ws.on('close', (code) => (closeCode = code));
  ws.on('error', () => {});
  const opened = new Promise<number>((resolve, reject) => {
    ws.once('open', () => resolve(performance.now()));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`operator feed refused: HTTP ${res.statusCode}`)));
  });
  return { opened, closeCode: () => closeCode, resume: () => socket?.resume(), end: () => ws.terminate() };
}
