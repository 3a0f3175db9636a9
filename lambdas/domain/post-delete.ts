import type { Principal } from '../core/auth.ts';
import { publish } from '../core/broadcast.ts';
import { enqueueCleanup } from '../core/cleanup-queue.ts';
import { NotFoundError } from '../core/errors.ts';
import { groups } from '../core/groups.ts';
import { logger } from '../core/logger.ts';
import { removePost } from '../repositories/posts.ts';
import { modifiablePost } from './post-access.ts';

/**
 * Deletes the post at once (it vanishes from every read) and leaves its comments, reactions, views,
 * buckets and media to the cleanup worker.
 */
export async function deletePost(principal: Principal, postId: number): Promise<void> {
  const { post } = await modifiablePost(principal, postId);
  if (!(await removePost(postId))) throw new NotFoundError();
  try {
    await enqueueCleanup({ kind: 'post', post_id: postId, media_key: post.mediaKey });
  } catch (error) {
    // The post is already gone for every reader; its leftovers are invisible. Log for the alarm.
    logger.error('Could not enqueue post cleanup', { postId, error: error as Error });
  }
  await publish({ type: 'ventroom_post_deleted', data: { post_id: postId }, audiences: [groups.post(postId), groups.feed] });
}
