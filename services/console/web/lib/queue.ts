import { compareQueueOrder } from '../../../../protocol/case.js';
import type { Case } from '../../../../protocol/index.js';
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
