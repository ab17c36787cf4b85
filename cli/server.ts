import closeWithGrace from 'close-with-grace';
import { ConfigError } from '../services/config.js';
import { startStack, type Stack } from '../services/stack.js';
import { runDemo, type Demo } from './demo.js';
import { demoConfig } from './demo-auth.js';

/**
 * The whole stack in one process on the embedded default (or what the environment configures), until
 * SIGINT / SIGTERM; with `demo`, simulated cars fire a few calls. Resolves once it serves.
 * Logs: JSON lines, or one readable line an event on a terminal or with LOG_FORMAT=pretty.
 */
export async function runServer({ demo }: { demo: boolean }): Promise<void> {
  let stack: Stack;
  // The demo runs with AUTH on unless AUTH is set (issue 11, part 6): cars get credentials, an operator logs in.
  const demoSetup = demo ? demoConfig() : undefined;
  try {
    stack = await startStack(demoSetup ? { config: demoSetup.config } : {});
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`anshin: bad configuration: ${err.message}`);
      process.exit(2);
    }
    const e = err as NodeJS.ErrnoException & { port?: number };
    if (e.code === 'EADDRINUSE') {
      console.error(`anshin: port ${e.port ?? ''} is already in use; set HTTP_PORT / MQTT_PORT to free ones`);
      process.exit(2);
    }
    throw err;
  }
  const { logger } = stack;
  let running: Demo | undefined;
  closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
    if (err) logger.error({ err }, 'fatal error, shutting down');
    else logger.info({ signal }, 'shutting down');
    await running?.stop();
    await stack.close();
  });
  if (demoSetup) {
    running = runDemo(stack, demoSetup);
    // A demo that fails is logged; the stack keeps serving (Ctrl-C stops it).
    running.done.catch((err: unknown) => logger.error({ err }, 'demo failed'));
  }
}
