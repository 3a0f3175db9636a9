import type { Principal } from '../core/auth.ts';
import { enqueueViews } from '../core/views-queue.ts';
import { viewTotals } from '../repositories/posts.ts';
import { lastId } from '../repositories/sequences.ts';
import { userStatesOf } from '../repositories/user-state.ts';

/**
 * Manual view tracking: hands the posts this user has not viewed yet to the views worker (one queue
 * message). It writes no view itself. Only posts that exist are queued: ids above the last post id
 * ever issued are dropped for free, and the rest of the unviewed ids are looked up on their small
 * counter items, so a request of 100 deleted ids queues nothing (each would have cost the worker a
 * cancelled transaction, and a batch full of them could time out honest views sharing it).
 * Returns how many distinct ids were accepted for tracking (already viewed ones included: their one
 * view is already counted).
 */
export async function markAsViewed(principal: Principal, postIds: number[], now = new Date()): Promise<number> {
  const ids = [...new Set(postIds)];
  const [states, newest] = await Promise.all([userStatesOf(principal.id, ids), lastId('post')]);
  const unviewed = ids.filter((id) => id <= newest && !states.post(id).viewed);
  const existing = unviewed.length > 0 ? await viewTotals(unviewed) : new Map<number, number>();
  await enqueueViews(principal.id, unviewed.filter((id) => existing.has(id)), now);
  return ids.length;
}
