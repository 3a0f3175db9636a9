import type { Principal } from '../core/auth.ts';
import type { Paginated } from '../core/pagination.ts';
import { findPost, type StoredPost } from '../repositories/posts.ts';
import { userStatesOf } from '../repositories/user-state.ts';
import { presentWithStates } from './post-reads.ts';
import type { PostDto } from './post-dto.ts';
import { trendingEntries } from './trending-snapshot.ts';

/**
 * GET trending: the snapshot's (at most) 20 posts in its order, read fresh (current counters, edits;
 * posts deleted since the snapshot are left out), with the caller's `has_viewed`/`user_reaction`.
 * Calls: the snapshot (one GetItem), then in parallel one Query per post (body and counters sit side
 * by side: 0.5 RCU for a post under 4 KB, half of what BatchGetItem bills for the same two items) and
 * one read of the caller's states. Unviewed results go to the views queue like any read.
 */
export async function trendingPosts(principal: Principal, now = new Date()): Promise<Paginated<PostDto>> {
  const ids = (await trendingEntries(now)).map((entry) => entry.postId);
  const [posts, states] = await Promise.all([Promise.all(ids.map((id) => findPost(id))), userStatesOf(principal.id, ids)]);
  const present = posts.filter((post): post is StoredPost => post !== undefined);
  const results = await presentWithStates(principal, present, states, now);
  return { count: results.length, next: null, previous: null, results };
}
