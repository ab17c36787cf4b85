import pino, { type Logger } from 'pino';

/** One pino logger per process; children bind case id, VIN and event id where they are known. */
export function createLogger(level: string, name = 'anshin'): Logger {
  return pino({ name, level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime });
}
