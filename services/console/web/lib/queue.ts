import { compareQueueOrder } from '../../../../protocol/case.js';
import type { Case, VoiceSession } from '../../../../protocol/index.js';
import type { FeedState } from './feed-state.js';

/** Contract queue order (priority, then age, then id): the very rule the service's store sorts by. */
export const compareQueue: (a: Case, b: Case) => number = compareQueueOrder;

/** Open cases in queue order. */
export function openQueue(state: FeedState): Case[] {
  return [...state.cases.values()].filter((c) => c.status === 'open').sort(compareQueue);
}

/** Keyboard move through the queue (j/k, arrows): stays at the ends, starts at the top. */
export function moveSelection(queue: readonly Case[], selectedId: string | null, step: 1 | -1): string | null {
  if (queue.length === 0) return null;
  const at = queue.findIndex((c) => c.id === selectedId);
  if (at < 0) return queue[0]!.id;
  return queue[Math.min(queue.length - 1, Math.max(0, at + step))]!.id;
}

/** Issue 14 part 3: the queue's sections. `cleared`: the call has ended but the case is still open. */
export const QUEUE_FILTERS = ['all', 'ringing', 'mine', 'connected', 'cleared'] as const;
export type QueueFilter = (typeof QUEUE_FILTERS)[number];

export function matchesFilter(c: Case, session: VoiceSession | undefined, filter: QueueFilter, me: string): boolean {
  switch (filter) {
    case 'all':
      return true;
    case 'mine':
      return c.operatorId === me;
    default:
      return session?.state === filter;
  }
}

/** VIN search (and the plate, when a case carries one in its data): any part, case and spaces ignored. */
export function matchesSearch(c: Case, query: string): boolean {
  const q = query.replace(/\s+/g, '').toUpperCase();
  if (!q) return true;
  const plate = typeof c.data.plate === 'string' ? c.data.plate.replace(/\s+/g, '').toUpperCase() : '';
  return c.vin.includes(q) || (plate !== '' && plate.includes(q));
}

/**
 * What the queue shows: the cases that pass the filter and the search, real calls in queue order, then
 * test calls apart (eCall test calls must never sit among real priority-1 calls).
 */
export function arrangeQueue(
  queue: readonly Case[],
  state: FeedState,
  opts: { filter: QueueFilter; query: string; me: string },
): { real: Case[]; test: Case[] } {
  const shown = queue.filter((c) => matchesFilter(c, state.sessions.get(c.sessionId), opts.filter, opts.me) && matchesSearch(c, opts.query));
  return { real: shown.filter((c) => !c.test), test: shown.filter((c) => c.test) };
}

/** Counts per filter, for the section buttons. */
export function filterCounts(queue: readonly Case[], state: FeedState, me: string): Record<QueueFilter, number> {
  const counts = { all: 0, ringing: 0, mine: 0, connected: 0, cleared: 0 };
  for (const c of queue) for (const f of QUEUE_FILTERS) if (matchesFilter(c, state.sessions.get(c.sessionId), f, me)) counts[f]++;
  return counts;
}
