/** One emergency event waiting for the broker's PUBACK. */
export interface OutboxEntry {
  eventId: string;
  topic: string;
  payload: string;
  /** Times it was handed to the MQTT client (1 = first try). */
  attempts: number;
  /** True while MQTT.js holds it (it resends in-flight QoS 1 messages itself after a reconnect). */
  inFlight: boolean;
  resolve: (eventId: string) => void;
  reject: (err: Error) => void;
}

/**
 * Store-and-forward: an emergency event is kept here from the moment it is fired until the broker has
 * acknowledged it (PUBACK), across disconnects and broker restarts. Insertion order is send order.
 */
export class Outbox {
  private readonly entries = new Map<string, OutboxEntry>();

  add(entry: Omit<OutboxEntry, 'attempts' | 'inFlight'>): OutboxEntry {
    const existing = this.entries.get(entry.eventId);
    if (existing) {
      // The same event fired twice before its PUBACK: both callers learn of the one delivery.
      const prevResolve = existing.resolve;
      const prevReject = existing.reject;
      existing.resolve = (id) => (prevResolve(id), entry.resolve(id));
      existing.reject = (e) => (prevReject(e), entry.reject(e));
      return existing;
    }
    const e: OutboxEntry = { ...entry, attempts: 0, inFlight: false };
    this.entries.set(e.eventId, e);
    return e;
  }

  acked(eventId: string): void {
    const e = this.entries.get(eventId);
    if (!e) return;
    this.entries.delete(eventId);
    e.resolve(eventId);
  }

  /** Entries not currently held by the MQTT client, in the order they were fired. */
  waiting(): OutboxEntry[] {
    return [...this.entries.values()].filter((e) => !e.inFlight);
  }

  get size(): number {
    return this.entries.size;
  }

  ids(): string[] {
    return [...this.entries.keys()];
  }

  /** Gives up on every entry (the car is shutting down for good). */
  failAll(err: Error): void {
    const all = [...this.entries.values()];
    this.entries.clear();
    for (const e of all) e.reject(err);
  }
}
