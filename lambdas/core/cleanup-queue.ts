import { queueSender } from './sqs.ts';

/** Work left behind by a delete: everything that hung off the deleted thing, removed in the background. */
export type CleanupJob =
  | { kind: 'post'; post_id: number; media_key: string | null }
  /** Deleted comments (a thread, or one reply): their users' reaction state, reactor index and media. */
  | { kind: 'comments'; post_id: number; comment_ids: number[]; media_keys: string[] };

/**
 * When the late pass of a post's cleanup runs (SQS's longest delay): it catches writes that were in
 * flight when the post went, and it is booked before the delete, so a crash between the delete and
 * the immediate pass cannot leave the post's leftovers behind for good.
 */
export const LATE_PASS_DELAY_SECONDS = 900;

const send = queueSender<CleanupJob>('cleanup');

export async function enqueueCleanup(job: CleanupJob, delaySeconds?: number): Promise<void> {
  await send(job, delaySeconds);
}
