import type { CarCounters } from '../car/index.js';

/** What a fleet run reports at the end (text or `--json`). */
export interface FleetSummary {
  cars: number;
  connected: number;
  /** Milliseconds from the first connect attempt until the last car was connected (null if some never did). */
  connectMs: number | null;
  durationMs: number;
  eventsSent: number;
  eventsAcked: number;
  eventsPending: number;
  commandsReceived: number;
  telemetrySent: number;
  errors: number;
  reconnects: number;
  connectFailures: number;
  rssMb: number;
  heapUsedMb: number;
}

export function sumCounters(all: Iterable<CarCounters>): CarCounters {
  const t: CarCounters = { eventsSent: 0, eventsAcked: 0, commandsReceived: 0, telemetrySent: 0, errors: 0, reconnects: 0 };
  for (const c of all) {
    t.eventsSent += c.eventsSent;
    t.eventsAcked += c.eventsAcked;
    t.commandsReceived += c.commandsReceived;
    t.telemetrySent += c.telemetrySent;
    t.errors += c.errors;
    t.reconnects += c.reconnects;
  }
  return t;
}

export function formatSummary(s: FleetSummary): string {
  const connect = s.connectMs === null ? 'not all connected' : `all connected in ${(s.connectMs / 1000).toFixed(2)} s`;
  return [
    `fleet summary (${(s.durationMs / 1000).toFixed(1)} s)`,
    `  cars               ${s.cars} (connected at end ${s.connected}; ${connect}; connect failures ${s.connectFailures})`,
    `  events sent        ${s.eventsSent} (acknowledged ${s.eventsAcked}, pending ${s.eventsPending})`,
    `  commands received  ${s.commandsReceived}`,
    `  telemetry sent     ${s.telemetrySent}`,
    `  errors             ${s.errors}`,
    `  reconnects         ${s.reconnects}`,
    `  memory             rss ${s.rssMb} MB, heap ${s.heapUsedMb} MB`,
  ].join('\n');
}
