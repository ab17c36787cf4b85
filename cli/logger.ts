import { pino, type Logger } from 'pino';

/** CLI log lines go to stderr (stdout is for results); level from LOG_LEVEL, default warn. */
export function cliLogger(): Logger {
  return pino({ level: process.env.LOG_LEVEL ?? 'warn' }, pino.destination(2));
}
