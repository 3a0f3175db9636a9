import { enqueueCleanup, type CleanupJob } from '../core/cleanup-queue.ts';
import { deleteMedia } from '../core/media.ts';
import { sqsConsumer } from '../core/sqs-batch.ts';
import { commentReactionKeys, deleteKeys, postLeftovers, userStateKeysOnPost } from '../repositories/post-leftovers.ts';

/**
 * Removes what a deleted post left behind. Idempotent (deleting what is gone is a no-op), so a
 * redelivered job is harmless. A second pass 15 minutes later catches writes that were in flight
 * when the post went (a views batch or reaction that wrote its index item just before failing).
 */
const SECOND_PASS_DELAY_SECONDS = 900;

async function cleanPost(job: Extract<CleanupJob, { kind: 'post' }>): Promise<void> {
  const leftovers = await postLeftovers(job.post_id);
  const perUser = await Promise.all([...leftovers.userIds].map((userId) => userStateKeysOnPost(userId, job.post_id)));
  await deleteKeys([...leftovers.keys, ...perUser.flat()]);
  const media = [...leftovers.mediaKeys, ...(job.media_key ? [job.media_key] : [])];
  await Promise.all(media.map((key) => deleteMedia(key)));
  if ((job.pass ?? 1) < 2) await enqueueCleanup({ ...job, pass: 2 }, SECOND_PASS_DELAY_SECONDS);
}

/** The comments themselves are already gone (with their counts); what hung off them goes here. */
async function cleanComments(job: Extract<CleanupJob, { kind: 'comments' }>): Promise<void> {
  const keys = await Promise.all(job.comment_ids.map((commentId) => commentReactionKeys(job.post_id, commentId)));
  await deleteKeys(keys.flat());
  await Promise.all(job.media_keys.map((key) => deleteMedia(key)));
}

export const handler = sqsConsumer('Cleanup', async (record) => {
  const job = JSON.parse(record.body) as CleanupJob;
  if (job.kind === 'post') await cleanPost(job);
  else if (job.kind === 'comments') await cleanComments(job);
  else throw new Error(`Unknown cleanup job ${JSON.stringify(job)}`);
});
