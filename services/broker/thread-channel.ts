import type { MessagePort } from 'node:worker_threads';

/** What a `postMessage` port looks like from either side: `parentPort` in the worker, the `Worker` in the parent. */
export interface PostPort {
  postMessage(value: unknown): void;
  on(event: 'message', listener: (value: unknown) => void): unknown;
}

/**
 * One side of the broker thread's channel (issue 15). Messages sent in one turn of the event loop go
 * as one `postMessage` (an array), flushed by `setImmediate` once the turn's I/O is handled: in a storm a
 * thousand car publishes read in one turn cross the thread boundary as one structured clone, not a
 * thousand. Order is kept in both directions (one port, arrays in order).
 *
 * Requests (`request`) get a numbered answer (`answer`); the rest are one-way.
 */
export class ThreadChannel<Out extends { t: string }, In extends { t: string }> {
  private queue: (Out | Answer)[] = [];
  private scheduled = false;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(err: Error): void }>();

  constructor(
    private readonly port: PostPort | MessagePort,
    handle: (message: In, channel: ThreadChannel<Out, In>) => void,
  ) {
    (port as PostPort).on('message', (batch) => {
      for (const message of batch as (In | Answer)[]) {
        if (message.t === ANSWER) this.settle(message as Answer);
        else handle(message as In, this);
      }
    });
  }

  send(message: Out): void {
    this.enqueue(message);
  }

  /** Sends `message` with a fresh `id` and resolves with the other side's `answer` to it (rejects with its error). */
  request<T>(message: WithoutId<Out>): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.send({ ...message, id } as unknown as Out);
    });
  }

  /**
   * Answers request `id`: a value, or an error. An error crosses as its message and its own plain
   * fields (`code`, `port`…: the CLI names a port already in use from them) and is an Error again on the other side.
   */
  answer(id: number, result: { value?: unknown; error?: Error }): void {
    const { error, value } = result;
    if (!error) return this.enqueue({ t: ANSWER, id, value });
    const fields = Object.fromEntries(Object.entries(error).filter(([, v]) => v === null || typeof v !== 'object'));
    this.enqueue({ t: ANSWER, id, error: { ...fields, message: error.message } });
  }

  /** Sends what is queued now (before the thread is told to stop, say). */
  flush(): void {
    this.scheduled = false;
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    this.port.postMessage(batch);
  }

  /** Fails every request still waiting (the other side is gone). */
  failPending(err: Error): void {
    for (const { reject } of this.pending.values()) reject(err);
    this.pending.clear();
  }

  private enqueue(message: Out | Answer): void {
    this.queue.push(message);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private settle(answer: Answer): void {
    const waiting = this.pending.get(answer.id);
    if (!waiting) return;
    this.pending.delete(answer.id);
    if (answer.error !== undefined) waiting.reject(Object.assign(new Error(answer.error.message), answer.error));
    else waiting.resolve(answer.value);
  }
}

/** A message type without its `id`, each member of a union on its own. */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

const ANSWER = 'answer';
interface Answer {
  t: typeof ANSWER;
  id: number;
  value?: unknown;
  error?: { message: string } & Record<string, unknown>;
}

/**
 * A payload as it crosses the thread boundary: a latin1 string, one character a byte, so any bytes
 * (not only UTF-8) come back the same. A string clones at a third of the cost of a Uint8Array, which
 * needs an ArrayBuffer of its own on each side (2026-12-02, 200,000 telemetry-sized messages in
 * batches of 50: 1.2-1.3 against 3.0-4.0 µs of the sender's CPU a message).
 */
export function bytesOf(payload: Buffer): string {
  return payload.toString('latin1');
}

/** A payload received across the thread boundary, as the Buffer it was. */
export function bufferOf(bytes: string): Buffer {
  return Buffer.from(bytes, 'latin1');
}
