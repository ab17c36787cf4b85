import { createRequire } from 'node:module';
import pino, { type DestinationStream, type Logger } from 'pino';

/** `json`: one JSON object a line, for machines (the default). `pretty`: one readable line an event. */
export type LogFormat = 'json' | 'pretty';

export interface LoggerOptions {
  name?: string;
  /** Unset: `pretty` when stdout is a terminal, else `json`. */
  format?: LogFormat | undefined;
}

/** One pino logger per process; children bind case id, VIN and event id where they are known. */
export function createLogger(level: string, options: LoggerOptions = {}): Logger {
  const format = options.format ?? (process.stdout.isTTY ? 'pretty' : 'json');
  const opts = { name: options.name ?? 'anshin', level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime };
  return format === 'pretty' ? pino(opts, prettyStream()) : pino(opts);
}

/** pino-pretty, loaded only for pretty output (a service writing JSON never loads it). */
function prettyStream(): DestinationStream {
  const pretty = createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty');
  return pretty.build({
    sync: true, // a line is on the terminal before the next statement runs, and none is lost at exit
    // Time and level are written by `prettyLine` itself, so that the sentence comes right after them.
    ignore: 'time,level,pid,hostname,name',
    hideObject: true,
    customColors: 'message:reset',
    messageFormat: (log, _key, _label, extras) => prettyLine(log, extras.colors),
  });
}

type Paint = (text: string) => string;
interface Colors {
  gray: Paint;
  green: Paint;
  yellow: Paint;
  red: Paint;
  blue: Paint;
  bgRed: Paint;
}
const NO_COLORS: Colors = { gray: String, green: String, yellow: String, red: String, blue: String, bgRed: String };

const LEVELS: Record<number, [string, keyof Colors]> = { 10: ['TRACE', 'gray'], 20: ['DEBUG', 'blue'], 30: ['INFO', 'green'], 40: ['WARN', 'yellow'], 50: ['ERROR', 'red'], 60: ['FATAL', 'bgRed'] };
/** The operators are in Japan: pretty lines carry Japan time, and say so (`JST`, UTC+9, no daylight saving). */
const JAPAN_TIME = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Tokyo', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
/** Written by pino itself, shown another way, or only worth having in JSON. */
const NOT_CONTEXT = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg', 'err', 'component']);

/**
 * One event as one line, the sentence first: `10:15:30 JST INFO  case 01J… opened: airbag, priority 1
 * (vin JT2…, event 01J…)`. After the sentence, in brackets, the scalar fields it does not already name
 * (`eventId` reads `event`); objects (commands, lockouts) stay in the JSON format. An error adds its
 * message, and at level error its stack on the lines below.
 */
export function prettyLine(log: Record<string, unknown>, colors: Colors = NO_COLORS): string {
  const [label, color] = LEVELS[Number(log.level)] ?? [String(log.level), 'gray'];
  const at = typeof log.time === 'string' || typeof log.time === 'number' ? `${JAPAN_TIME.format(new Date(log.time))} JST` : '';
  const msg = typeof log.msg === 'string' ? log.msg : '';
  const context: string[] = [];
  for (const [key, value] of Object.entries(log)) {
    if (NOT_CONTEXT.has(key) || value === null || value === undefined || typeof value === 'object') continue;
    if (typeof value === 'string' && namedIn(msg, value)) continue;
    context.push(`${key.replace(/Id$/, '')} ${String(value)}`);
  }
  const err = log.err as { message?: string; stack?: string } | string | undefined;
  if (typeof err === 'string') context.push(`error: ${err}`);
  else if (err?.message) context.push(`error: ${err.message}`);
  let line = `${colors.gray(at)} ${colors[color](label.padEnd(5))} ${msg}${context.length ? ` (${context.join(', ')})` : ''}`;
  if (typeof err === 'object' && err?.stack && Number(log.level) >= 50) line += `\n${err.stack.split('\n').slice(1).join('\n')}`; // the first line is the message, shown above
  return line;
}

/** The message already names this value as a word of its own (a case id, a VIN, a role). */
function namedIn(msg: string, value: string): boolean {
  for (let i = msg.indexOf(value); i >= 0; i = msg.indexOf(value, i + 1)) {
    const before = msg[i - 1] ?? ' ';
    const after = msg[i + value.length] ?? ' ';
    if (!/[\w-]/.test(before) && !/[\w-]/.test(after)) return true;
  }
  return false;
}
