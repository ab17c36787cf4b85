import { createWriteStream, type WriteStream } from 'node:fs';
import type { TraceHeader, TraceLine } from '../../protocol/index.js';

/**
 * Appends NDJSON lines to a file as they come. Each line is one write of `JSON + "\n"`, so a recorder
 * killed mid-write leaves at worst one truncated last line (the reader warns and ignores it).
 */
export class TraceWriter {
  private readonly stream: WriteStream;
  private lastT = 0;
  private closed: Promise<void> | null = null;
  lines = 0;

  constructor(readonly path: string, header: TraceHeader) {
    this.stream = createWriteStream(path, { flags: 'w' });
    this.stream.write(`${JSON.stringify(header)}\n`);
  }

  write(line: TraceLine): void {
    if (this.closed) return;
    // Lines must be in time order; two clocks (publish hook vs. audit) never reorder what we saw.
    if (line.t < this.lastT) line = { ...line, t: this.lastT };
    this.lastT = line.t;
    this.lines++;
    this.stream.write(`${JSON.stringify(line)}\n`);
  }

  /** Flushes and closes the file (idempotent). */
  close(): Promise<void> {
    this.closed ??= new Promise<void>((resolve, reject) => {
      this.stream.once('error', reject);
      this.stream.end(() => resolve());
    });
    return this.closed;
  }
}
