/** One emergency event of the load, from publish to PUBACK. Times in ms since the run's start. */
export interface EventRecord {
  index: number;
  eventId: string;
  vin: string;
  car: number;
  /** `crash` (a valid emergency event) or the kind of a deliberately bad one (`poison:…`). */
  tag: string;
  /** When the car handed it to MQTT.js (it may wait offline in the client's store). */
  sentAtMs: number | null;
  /** PUBLISH packets MQTT.js wrote to a socket for it: more than 1 means it was re-sent after a reconnect. */
  transmissions: number;
  /** `performance.now()` at the hand-over, to compare with other stamps on the same clock (feed arrival). */
  sentAtPerf?: number;
  /** When its publish callback reported the PUBACK (the first time; see `callbacks`). */
  ackedAtMs: number | null;
  /** How often its publish callback fired: exactly once is the only healthy value. */
  callbacks: number;
  /** The error its callback reported instead of a PUBACK, if any. */
  error: string | null;
}

/**
 * The cars' side of the accounting. An event counts as acknowledged once, when MQTT.js calls its publish
 * callback without an error (for QoS 1 that happens on the PUBACK with its packet id, nothing earlier);
 * a second callback is counted as an anomaly, never as a second acknowledgement.
 */
export class Ledger {
  readonly records: EventRecord[] = [];
  private readonly byId = new Map<string, EventRecord>();
  private ackCount = 0;
  private settledCount = 0;
  private sentCount = 0;
  private listeners: Array<() => void> = [];
  private frozen = false;
  /** Callbacks and transmissions that came after freeze(): not counted, only reported. */
  lateCallbacks = 0;

  constructor(readonly t0: number) {}

  now(): number {
    return Math.round((performance.now() - this.t0) * 10) / 10;
  }

  add(rec: Omit<EventRecord, 'sentAtMs' | 'transmissions' | 'ackedAtMs' | 'callbacks' | 'error'>): EventRecord {
    const full: EventRecord = { ...rec, sentAtMs: null, transmissions: 0, ackedAtMs: null, callbacks: 0, error: null };
    this.records.push(full);
    this.byId.set(full.eventId, full);
    return full;
  }

  get(eventId: string): EventRecord | undefined {
    return this.byId.get(eventId);
  }

  markSent(rec: EventRecord): void {
    rec.sentAtMs = this.now();
    rec.sentAtPerf = performance.now();
    this.sentCount++;
  }

  /** The deadline has passed: what the cars saw until now is the result; later news is only tallied. */
  freeze(): void {
    this.frozen = true;
  }

  markTransmitted(eventId: string): void {
    if (this.frozen) return;
    const rec = this.byId.get(eventId);
    if (rec) rec.transmissions++;
  }

  markCallback(rec: EventRecord, err: Error | undefined): void {
    if (this.frozen) {
      this.lateCallbacks++;
      return;
    }
    rec.callbacks++;
    if (rec.callbacks === 1) this.settledCount++;
    if (err) {
      rec.error ??= err.message;
    } else if (rec.ackedAtMs === null) {
      rec.ackedAtMs = this.now();
      this.ackCount++;
    }
    const l = this.listeners;
    this.listeners = [];
    for (const f of l) f();
  }

  get sent(): number {
    return this.sentCount;
  }
  get acknowledged(): number {
    return this.ackCount;
  }
  /** Events whose callback fired at least once (acknowledged or failed). */
  get settled(): number {
    return this.settledCount;
  }

  /** Resolves true once `predicate` holds (checked after every callback), false after `timeoutMs`. */
  async waitFor(predicate: () => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    while (!predicate()) {
      const left = deadline - performance.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 250));
        this.listeners.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return true;
  }
}
