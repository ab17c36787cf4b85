import closeWithGrace from 'close-with-grace';
import { ConfigError } from '../services/config.js';
import { startStack, type Stack } from '../services/stack.js';
import { runDemo } from './demo.js';

/**
 * The whole stack in one process on the embedded default (or what the environment configures), until
 * SIGINT / SIGTERM; with `demo`, simulated cars fire a few calls. Resolves once it serves.
 * Logs: JSON lines, or one readable line an event on a terminal or with LOG_FORMAT=pretty.
 */
export async function runServer({ demo }: { demo: boolean }): Promise<void> {
  let stack: Stack;
  try {
    stack = await startStack();
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
  let stopDemo: (() => Promise<void>) | undefined;
  closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
    if (err) logger.error({ err }, 'fatal error, shutting down');
    else logger.info({ signal }, 'shutting down');
    await stopDemo?.();
    await stack.close();
  });
  if (demo) stopDemo = await runDemo(stack);
}
