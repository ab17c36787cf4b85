import { SimulatedCar } from '../../simulator/car/index.js';
import { SystemClock, type Clock } from '../../lib/clock/index.js';
import { startStack, type Stack, type StackOptions } from '../../services/stack.js';
import { FeedClient } from './feed-client.js';

export interface TestStack extends Stack {
  /** A connected simulated car (real MQTT.js client) on this stack's broker; its timeouts run on wall time. */
  car(vin: string, seed?: number): Promise<SimulatedCar>;
  /** A feed WebSocket client on this stack. */
  feed(query?: string): Promise<FeedClient>;
  /** fetch against the stack's HTTP server, JSON in and out, as operator `op-1` unless told otherwise. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read JSON bodies loosely
  http(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
}

/** The whole stack on free loopback ports, quiet logs, plus helpers; everything it made is closed by `close`. */
export async function startTestStack(options: StackOptions = {}): Promise<TestStack> {
  const stack = await startStack({
    ...options,
    env: options.env ?? {},
    // The broker on the service's loop unless a test asks for its thread (MQTT_BROKER_THREAD=on, the
    // product's default): from the sources a thread starts through tsx, 0.7 s more per stack. The tests
    // of the broker's boundary ask for it, and every test that runs the service as a process has it.
    config: { HTTP_PORT: 0, MQTT_PORT: 0, LOG_LEVEL: 'silent', MQTT_BROKER_THREAD: 'off', ...options.config },
    console: options.console ?? false,
  });
  const cars: SimulatedCar[] = [];
  const feeds: FeedClient[] = [];
  const wall: Clock = new SystemClock();
  const token = stack.config.API_TOKEN;
  return {
    ...stack,
    async car(vin, seed = 1) {
      const car = new SimulatedCar({ vin, url: stack.mqttUrl, clock: wall, seed });
      await car.connect();
      cars.push(car);
      return car;
    },
    async feed(query = '') {
      const sep = query ? '?' : '';
      const url = `${stack.httpUrl.replace(/^http/, 'ws')}/v1/operator/ws${sep}${query}`;
      // Without `since` the gateway reads a snapshot first: FeedClient.live waits for it.
      const client = /(^|&)since=/.test(query) ? await FeedClient.connect(url, token) : await FeedClient.live(url, token);
      feeds.push(client);
      return client;
    },
    async http(method, path, body, headers = {}) {
      const res = await fetch(`${stack.httpUrl}${path}`, {
        method,
        headers: {
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          'x-operator-id': 'op-1',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...headers,
        },
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        /* not JSON: keep the text */
      }
      return { status: res.status, body: parsed, headers: res.headers };
    },
    async close() {
      for (const f of feeds) f.close();
      await Promise.all(cars.map((c) => c.end().catch(() => {})));
      await stack.close();
    },
  };
}
