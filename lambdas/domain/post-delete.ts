import type { Principal } from '../core/auth.ts';
import { publish } from '../core/broadcast.ts';
import { LATE_PASS_DELAY_SECONDS, enqueueCleanup } from '../core/cleanup-queue.ts';
import { NotFoundError } from '../core/errors.ts';
import { groups } from '../core/groups.ts';
import { logger } from '../core/logger.ts';
import { removePost } from '../repositories/posts.ts';
import { modifiablePost } from './post-access.ts';

/**
 * Deletes the post at once (it vanishes from every read) and leaves its comments, reactions, views,
 * buckets and media to the cleanup worker: a late pass booked BEFORE the delete (so that no crash
 * or queue outage after it can leave them behind for good; a job that finds the post still there
 * does nothing), and an immediate pass after it.
 */
export async function deletePost(principal: Principal, postId: number): Promise<void> {
  const { post } = await modifiablePost(principal, postId);
  const job = { kind: 'post' as const, post_id: postId, media_key: post.mediaKey };
  await enqueueCleanup(job, LATE_PASS_DELAY_SECONDS);
  if (!(await removePost(postId))) throw new NotFoundError();
  const cleanup = enqueueCleanup(job).catch((error) => {
    // The post is already gone for every reader and its late pass is booked. Log for the alarm.
    logger.error('Could not enqueue post cleanup', { postId, error: error as Error });
  });
  await Promise.all([cleanup, publish({ type: 'ventroom_post_deleted', data: { post_id: postId }, audiences: [groups.post(postId), groups.feed] })]);
}
