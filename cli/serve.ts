import type { Command } from 'commander';

/** `anshin start` and `anshin demo`: what `npm start` and `npm run demo` run (`node dist/cli/start.js`). */
export function registerServe(program: Command): void {
  program
    .command('start')
    .description('run the whole stack in this process: embedded MQTT broker, incident service, operator feed and console (npm start)')
    .action(() => serve(false));
  program
    .command('demo')
    .description('the stack plus three simulated cars that crash, press SOS and the trouble button (npm run demo)')
    .action(() => serve(true));
}

async function serve(demo: boolean): Promise<never> {
  const { runServer } = await import('./server.js');
  await runServer({ demo });
  // Serves until Ctrl-C or SIGTERM: close-with-grace closes the stack and ends the process.
  return new Promise<never>(() => {});
}
