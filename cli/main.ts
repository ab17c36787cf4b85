import { main } from './program.js';

const code = await main(process.argv);
// Flush stdout before exiting: MQTT sockets and timers must not keep a finished command alive.
process.stdout.write('', () => process.exit(code));
