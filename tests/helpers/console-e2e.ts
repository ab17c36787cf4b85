import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import mqtt from 'mqtt';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { topics } from '../../protocol/index.js';
import type { Config } from '../../services/config.js';
import { getRoute } from '../../simulator/routes/index.js';
import { startStack, type Stack } from '../../services/stack.js';
import { connectFleet, type Fleet } from './browser-cars.js';
import { launchBrowser } from './browser.js';

export interface ConsoleE2e {
  readonly browser: Browser;
  /** This test's stack: the whole service on free ports, console included, an empty in-memory store. */
  readonly stack: Stack;
  /** A car client on this test's broker. */
  readonly fleet: Fleet;
  /** The service restarts with fresh state on the same HTTP port (new store, new broker, new cars). */
  restart(): Promise<void>;
}

/**
 * What every console e2e file starts with. Chromium once per file (launching it rebuilds a stale
 * console, so it comes before any stack: a stack serves what dist holds when it starts); then each test
 * gets its own stack and car client, and its pages are closed after it. No test sees another's cases,
 * so any one runs alone (`npx vitest run tests/e2e/x.test.ts -t "name"`).
 */
export function useConsoleE2e(config: Partial<Config> = {}, options: { cars?: boolean } = {}): ConsoleE2e {
  let browser: Browser | undefined;
  let stack: Stack | undefined;
  let fleet: Fleet | undefined;
  const start = async (httpPort = 0) => {
    stack = await startStack({ env: {}, config: { HTTP_PORT: httpPort, MQTT_PORT: 0, LOG_LEVEL: 'warn', ...config } });
    // With AUTH=on the broker wants each car's own credentials: such tests open cases in-process (`cars: false`).
    if (options.cars !== false) fleet = await connectFleet(stack.mqttUrl);
  };
  const stop = async () => {
    await fleet?.close().catch(() => {});
    await stack?.close();
    fleet = stack = undefined;
  };

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  beforeEach(() => start());
  afterEach(async () => {
    // Pages first: a page left reconnecting could reach the next test's stack on a reused port.
    for (const context of browser?.contexts() ?? []) await context.close();
    await stop();
  });
  afterAll(async () => {
    await browser?.close();
  });

  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`no ${what}: use it inside a test`);
    return value;
  };
  return {
    get browser() {
      return need(browser, 'browser');
    },
    get stack() {
      return need(stack, 'stack');
    },
    get fleet() {
      return need(fleet, 'car client');
    },
    async restart() {
      const port = Number(new URL(need(stack, 'stack').httpUrl).port);
      await stop();
      await start(port);
    },
  };
}

/** axe-core (from npm) run inside the page: the violations of impact serious or critical. */
export async function axeSerious(page: import('playwright-core').Page): Promise<{ id: string; impact: string; help: string; nodes: string[] }[]> {
  const source = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  // Evaluated through the DevTools protocol, not a <script>: the page's CSP ('self' only) stays as it is.
  await page.evaluate(source);
  const result = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
    return axe.run(document, { resultTypes: ['violations'] });
  });
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
}

/** A position on one of the simulator's routes (the same data the console's road lookup is generated from). */
export function onRoute(routeId: string, km: number, reverse = false): { lat: number; lon: number; headingDeg: number; trusted: true } {
  const pose = getRoute(routeId).poseAt(km);
  return { lat: pose.lat, lon: pose.lon, headingDeg: reverse ? (pose.headingDeg + 180) % 360 : pose.headingDeg, trusted: true };
}

/** Telemetry from a car (what its last known position comes from), QoS 1 so it is in before the next event. */
export async function sendTelemetry(mqttUrl: string, vin: string, samples: { lat: number; lon: number; msAgo: number; headingDeg?: number }[]): Promise<void> {
  const client = await mqtt.connectAsync(mqttUrl, { protocolVersion: 4, clientId: `console-e2e-tm-${vin.slice(-6)}` });
  try {
    for (const s of samples) {
      const position = { lat: s.lat, lon: s.lon, trusted: true, ...(s.headingDeg === undefined ? {} : { headingDeg: s.headingDeg }) };
      const telemetry = { v: 1, vin, ts: new Date(Date.now() - s.msAgo).toISOString(), position, speedKmh: 60 };
      await client.publishAsync(topics.telemetry(vin), JSON.stringify(telemetry), { qos: 1 });
    }
  } finally {
    await client.endAsync();
  }
}
