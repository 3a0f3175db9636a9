import type { Principal } from '../core/auth.ts';
import { enqueueViews } from '../core/views-queue.ts';
import { lastId } from '../repositories/sequences.ts';
import { userStatesOf } from '../repositories/user-state.ts';

/**
 * Manual view tracking: hands the posts this user has not viewed yet to the views worker (one queue
 * message), after one read of the user's state on them. It writes no view itself. Ids above the last
 * post id ever issued name no post, so they are not queued (the endpoint has no rate limit, and the
 * worker would pay a cancelled transaction for each); ids of deleted posts are skipped by the worker.
 * Returns how many distinct ids were accepted for tracking (already viewed ones included: their one
 * view is already counted).
 */
export async function markAsViewed(principal: Principal, postIds: number[], now = new Date()): Promise<number> {
  const ids = [...new Set(postIds)];
  const [states, newest] = await Promise.all([userStatesOf(principal.id, ids), lastId('post')]);
  await enqueueViews(principal.id, ids.filter((id) => id <= newest && !states.post(id).viewed), now);
  return ids.length;
}
