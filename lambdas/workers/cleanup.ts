import pLimit from 'p-limit';
import { enqueueCleanup, type CleanupJob } from '../core/cleanup-queue.ts';
import { envInt, readEnv } from '../core/config.ts';
import { postPartitionKeys, type Key } from '../core/keys.ts';
import { retractMedia } from '../core/media.ts';
import { sqsConsumer } from '../core/sqs-batch.ts';
import { commentReactionKeys, deleteKeys, postLeftovers, userStateKeysOnPost } from '../repositories/post-leftovers.ts';
import { postExists } from '../repositories/posts.ts';

/**
 * Removes what a deleted post left behind. Idempotent (deleting what is gone is a no-op), so a
 * redelivered job is harmless. Each delete books two passes (post-delete.ts): one at once, one
 * 15 minutes later that catches writes in flight when the post went (a reaction racing the delete)
 * and stands in for the first if the deleting request died before sending it.
 */

const USER_QUERIES_IN_FLIGHT = 16;

const config = readEnv({
  /**
   * What one pass over a deleted post takes on: partition items, and users whose state it looks up
   * (a Query each). A bigger post is finished by continuation jobs, one pass each, so no post is too
   * big for the function's timeout and none ends in the dead-letter queue for its size.
   */
  CLEANUP_PASS_ITEMS: envInt(2000),
  CLEANUP_PASS_USERS: envInt(2000),
});

/** Viewer logs and reactor-index items: the only way a job finds the users' state on the post. */
function isIndex(key: Key): boolean {
  return key.sk.startsWith(postPartitionKeys.viewerLogPrefix) || key.sk.startsWith(postPartitionKeys.reactorIndexPrefix());
}

async function cleanPost(job: Extract<CleanupJob, { kind: 'post' }>): Promise<void> {
  // Booked before the delete, which then failed: the post lives, and nothing here is leftover.
  if (await postExists(job.post_id, true)) return;
  const leftovers = await postLeftovers(job.post_id, { maxItems: config.CLEANUP_PASS_ITEMS, maxUsers: config.CLEANUP_PASS_USERS });
  // Media first: the post is gone for every reader, so its files must stop being served even if
  // the rest of this job (a post with very many viewers) runs out of time.
  await retractMedia([...leftovers.mediaKeys, ...(job.media_key ? [job.media_key] : [])]);
  // One Query per user who viewed or reacted: a bounded number in flight, not one per user at once.
  const limit = pLimit(USER_QUERIES_IN_FLIGHT);
  const perUser = await Promise.all([...leftovers.userIds].map((userId) => limit(() => userStateKeysOnPost(userId, job.post_id))));
  // The index goes last, in a call of its own: a job that dies half-way has deleted no index item
  // whose users' state is still there, so its redelivery finds all that is left.
  await deleteKeys([...perUser.flat(), ...leftovers.keys.filter((key) => !isIndex(key))]);
  await deleteKeys(leftovers.keys.filter(isIndex));
  // What this pass found is gone, so the next one starts at the partition's head again. Sent
  // after the deletes: a pass that dies is redelivered whole instead, and nothing is skipped.
  if (leftovers.more) await enqueueCleanup({ kind: 'post', post_id: job.post_id, media_key: null });
}

/** The comments themselves are already gone (with their counts); what hung off them goes here. */
async function cleanComments(job: Extract<CleanupJob, { kind: 'comments' }>): Promise<void> {
  const keys = (await Promise.all(job.comment_ids.map((commentId) => commentReactionKeys(job.post_id, commentId)))).flat();
  // As for posts: the reactor index, which is how a redelivered job finds the reactors, goes last.
  await deleteKeys(keys.filter((key) => !isIndex(key)));
  await deleteKeys(keys.filter(isIndex));
  await retractMedia(job.media_keys);
}

export const handler = sqsConsumer('Cleanup', async (record) => {
  const job = JSON.parse(record.body) as CleanupJob;
  if (job.kind === 'post') await cleanPost(job);
  else if (job.kind === 'comments') await cleanComments(job);
  else throw new Error(`Unknown cleanup job ${JSON.stringify(job)}`);
});
