import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { Config } from '../../services/config.js';
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
