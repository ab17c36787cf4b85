import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  TRACE_FORMAT,
  TRACE_VERSION,
  TraceHeader,
  TraceMqttLine,
  TraceOperatorLine,
  validator,
  type SchemaIssue,
  type TraceLine,
} from '../../protocol/index.js';

/** A bad trace file: the message names the file and line (`run.ndjson:17: …`); the CLI exits 2. */
export class TraceFileError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    detail: string,
  ) {
    super(`${file}:${line}: ${detail}`);
    this.name = 'TraceFileError';
  }
}

export interface ParsedTrace {
  file: string;
  header: TraceHeader;
  lines: TraceLine[];
  /** Line numbers of `lines[i]` in the file, for messages during replay. */
  lineNumbers: number[];
  warnings: string[];
}

export interface ReadOptions {
  /** A truncated last line is an error instead of a warning. */
  strict?: boolean;
  /** Name used in messages (default: the file's base name). */
  name?: string;
}

const checks = { header: validator(TraceHeader), mqtt: validator(TraceMqttLine), operator: validator(TraceOperatorLine) };

export async function readTraceFile(path: string, opts: ReadOptions = {}): Promise<ParsedTrace> {
  return parseTrace(await readFile(path, 'utf8'), { name: basename(path), ...opts });
}

/**
 * Parses and checks a whole trace. A last line without its newline that is not valid JSON is what a
 * recorder killed mid-write leaves: a warning, and the line is ignored (an error with `strict`).
 * Everything else wrong is an error naming the line: bad JSON, unknown or missing fields, a format
 * version this code does not read, lines out of time order.
 */
export function parseTrace(text: string, opts: ReadOptions = {}): ParsedTrace {
  const file = opts.name ?? 'trace';
  if (text.trim() === '') throw new TraceFileError(file, 1, 'empty file: expected the trace header');
  const raw = text.split('\n');
  const endsWithNewline = text.endsWith('\n');
  if (endsWithNewline) raw.pop();
  const warnings: string[] = [];
  const lines: TraceLine[] = [];
  const lineNumbers: number[] = [];
  let header: TraceHeader | undefined;
  let lastT = 0;

  for (let i = 0; i < raw.length; i++) {
    const n = i + 1;
    const source = raw[i]!.replace(/\r$/, '');
    if (source.trim() === '') {
      if (n === 1) throw new TraceFileError(file, n, 'empty first line: expected the trace header');
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(source);
    } catch (err) {
      const last = i === raw.length - 1 && !endsWithNewline;
      if (last && n > 1 && !opts.strict) {
        warnings.push(`${file}:${n}: truncated last line ignored (a recorder stopped mid-write; --strict makes this an error)`);
        break;
      }
      const what = last ? 'truncated last line (no newline, not valid JSON)' : `bad JSON (${(err as Error).message})`;
      throw new TraceFileError(file, n, what);
    }
    if (n === 1) {
      header = checkHeader(file, value);
      continue;
    }
    const line = checkLine(file, n, value);
    if (line.t < lastT) throw new TraceFileError(file, n, `out of time order: t ${line.t} is before the previous line's t ${lastT}`);
    lastT = line.t;
    lines.push(line);
    lineNumbers.push(n);
  }
  if (!header) throw new TraceFileError(file, 1, 'empty file: expected the trace header');
  return { file, header, lines, lineNumbers, warnings };
}

function checkHeader(file: string, value: unknown): TraceHeader {
  const v = value as Partial<TraceHeader> | null;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new TraceFileError(file, 1, 'the header must be a JSON object');
  if (v.format !== TRACE_FORMAT) throw new TraceFileError(file, 1, `not an anshin trace (format ${JSON.stringify(v.format)}, expected "${TRACE_FORMAT}")`);
  if (v.version !== TRACE_VERSION) throw new TraceFileError(file, 1, `trace format version ${JSON.stringify(v.version)} is not supported (this anshin reads version ${TRACE_VERSION})`);
  if (!checks.header.check(value)) throw new TraceFileError(file, 1, `bad header: ${describe(checks.header.issues(value))}`);
  return value;
}

function checkLine(file: string, n: number, value: unknown): TraceLine {
  const kind = (value as { kind?: unknown } | null)?.kind;
  if (kind !== 'mqtt' && kind !== 'operator') throw new TraceFileError(file, n, `unknown line kind ${JSON.stringify(kind)} (expected "mqtt" or "operator")`);
  const check = checks[kind];
  if (!check.check(value)) throw new TraceFileError(file, n, `bad ${kind} line: ${describe(check.issues(value))}`);
  const line = value as TraceLine;
  if (line.kind === 'mqtt' && (line.payload === undefined) === (line.payloadBase64 === undefined)) {
    throw new TraceFileError(file, n, 'an mqtt line has exactly one of payload and payloadBase64');
  }
  if (line.kind === 'operator' && line.action === 'close' && line.resolution === undefined) {
    throw new TraceFileError(file, n, 'a close needs a resolution');
  }
  // Issue 12 part 5 (D4.5): a relay needs its message; a phone result, its relay and whether it was answered.
  if (line.kind === 'operator' && line.action === 'relay' && line.message === undefined) throw new TraceFileError(file, n, 'a relay needs a message');
  if (line.kind === 'operator' && line.action === 'relay_phone_result' && (line.relay === undefined || line.answered === undefined)) {
    throw new TraceFileError(file, n, 'a relay_phone_result needs relay and answered');
  }
  return line;
}

function describe(issues: SchemaIssue[]): string {
  const seen = new Set<string>();
  return issues
    .filter((i) => !seen.has(i.path) && seen.add(i.path))
    .map((i) => {
      if (/unexpected property/i.test(i.message)) return `unknown field "${i.path.split('/').pop()}"`;
      if (/required property/i.test(i.message)) return `missing field "${i.path.split('/').pop()}"`;
      return `${i.path}: ${i.message}`;
    })
    .join('; ');
}
