import type { Principal } from '../core/auth.ts';
import { publish } from '../core/broadcast.ts';
import { enqueueCleanup } from '../core/cleanup-queue.ts';
import { NotFoundError } from '../core/errors.ts';
import { groups } from '../core/groups.ts';
import { logger } from '../core/logger.ts';
import type { CommentRecord } from '../repositories/comment-items.ts';
import { deleteReply, deleteThread } from '../repositories/comment-deletes.ts';
import { modifiableComment } from './comment-access.ts';

/** Reactions and media of deleted comments go through the cleanup queue, in jobs of bounded size. */
const IDS_PER_CLEANUP_JOB = 500;

async function cleanUpAfter(postId: number, removed: CommentRecord[]): Promise<void> {
  for (let start = 0; start < removed.length; start += IDS_PER_CLEANUP_JOB) {
    const chunk = removed.slice(start, start + IDS_PER_CLEANUP_JOB);
    const job = {
      kind: 'comments' as const,
      post_id: postId,
      comment_ids: chunk.map((comment) => comment.id),
      media_keys: chunk.flatMap((comment) => (comment.mediaKey ? [comment.mediaKey] : [])),
    };
    try {
      await enqueueCleanup(job);
    } catch (error) {
      // The comments are gone for every reader; what is left is invisible, and the post's own
      // cleanup removes it at the latest. Log for the alarm.
      logger.error('Could not enqueue comment cleanup', { postId, error: error as Error });
    }
  }
}

/**
 * Deletes a comment: a top-level one with its whole thread, a reply on its own (a preview reply is
 * replaced by the thread's next-oldest one). The post's counters drop in the same transactions.
 */
export async function deleteComment(principal: Principal, postId: number, commentId: number): Promise<void> {
  const { location } = await modifiableComment(principal, postId, commentId);
  // A thread's chunks are handed to the cleanup as each commits: a delete that times out half-way
  // leaves no media of its deleted replies served.
  const outcome =
    location.rootId === null
      ? await deleteThread(postId, commentId, (chunk) => cleanUpAfter(postId, chunk))
      : await deleteReply(commentId);
  if (outcome.status !== 'deleted') throw new NotFoundError();
  if (location.rootId !== null) await cleanUpAfter(postId, outcome.removed);
  await publish({ type: 'ventroom_comment_deleted', data: { comment_id: commentId, post_id: postId }, audiences: [groups.post(postId)] });
}
