import type { Browser } from 'playwright-core';
import type { Config } from '../../services/config.js';
import { startStack, type Stack } from '../../services/stack.js';
import { connectFleet, type Fleet } from './browser-cars.js';
import { launchBrowser } from './browser.js';

export interface ConsoleE2e {
  browser: Browser;
  stack: Stack;
  fleet: Fleet;
  close(): Promise<void>;
}

/**
 * What every console e2e file starts with: Chromium, the whole stack on free ports (console included),
 * and a car client on its broker. The browser comes first: launching it rebuilds a stale console, and
 * the stack serves what dist holds when it starts.
 */
export async function startConsoleE2e(config: Partial<Config> = {}): Promise<ConsoleE2e> {
  const browser = await launchBrowser();
  const stack = await startStack({ env: {}, config: { HTTP_PORT: 0, MQTT_PORT: 0, LOG_LEVEL: 'warn', ...config } });
  const fleet = await connectFleet(stack.mqttUrl);
  return {
    browser,
    stack,
    fleet,
    async close() {
      await fleet.close();
      await browser.close();
      await stack.close();
    },
  };
}
