/**
 * The store policy, once for both adapters (memory-store.ts, redis-store.ts; STYLE 8): what is kept and
 * for how long, the orders lists come in, when a feed resume can be served, and the shape of a recorded
 * ack. An adapter decides how to keep things; this file decides what they must look like from outside,
 * and tests/helpers/store-contract.ts holds both adapters to it.
 */
import { compareQueueOrder, type Ack, type Case, type CommandAckRecord } from '../../../protocol/index.js';

/** What is kept and for how long; unset fields keep STORE_DEFAULTS. */
export interface StorePolicyOptions {
  /** Feed messages kept for `?since=` resumes (FEED_HISTORY). */
  feedHistory?: number;
  /** Commands kept per car, with their acks; an ack for an older one is `unknown_command`. */
  commandsPerVehicle?: number;
  /** How long a (vin, eventId) is remembered for dedupe: cars redeliver within minutes, not days. */
  dedupeTtlSeconds?: number;
}

export const STORE_DEFAULTS: Readonly<Required<StorePolicyOptions>> = {
  feedHistory: 10_000,
  commandsPerVehicle: 200,
  dedupeTtlSeconds: 7 * 24 * 3600,
};

/** The defaults with what a caller set (undefined keeps the default). */
export function storePolicy(options: StorePolicyOptions = {}): Required<StorePolicyOptions> {
  return {
    feedHistory: options.feedHistory ?? STORE_DEFAULTS.feedHistory,
    commandsPerVehicle: options.commandsPerVehicle ?? STORE_DEFAULTS.commandsPerVehicle,
    dedupeTtlSeconds: options.dedupeTtlSeconds ?? STORE_DEFAULTS.dedupeTtlSeconds,
  };
}

/** Open cases: the operator's queue (contract): priority, then age, then id. */
export const compareOpenOrder: (a: Case, b: Case) => number = compareQueueOrder;

/** Closed cases: newest `closedAt` first (a case without one last), then the newer id first. */
export function compareClosedOrder(a: Case, b: Case): number {
  return (b.closedAt ?? '').localeCompare(a.closedAt ?? '') || b.id.localeCompare(a.id);
}

/**
 * The feed window (contract "WebSocket", `since`): a resume after `since` can be served when `since`
 * is not ahead of the current seq and every message after it is still kept, i.e. `since` is at most
 * `history` behind. Otherwise `feedSince` answers null and the client takes a snapshot.
 */
export function inFeedWindow(since: number, current: number, history: number): boolean {
  return since <= current && since >= Math.max(0, current - history);
}

/** A car's answer to a command, as the store records it and `GET /v1/vehicles/{vin}/commands` shows it. */
export function ackRecord(ack: Ack, at: string): CommandAckRecord {
  return { ok: ack.ok, at, ...(ack.error !== undefined ? { error: ack.error } : {}) };
}
