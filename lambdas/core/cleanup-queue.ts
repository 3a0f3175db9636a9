import { queueSender } from './sqs.ts';

/** Work left behind by a delete: everything that hung off the deleted thing, removed in the background. */
export type CleanupJob =
  | { kind: 'post'; post_id: number; media_key: string | null; pass?: number }
  /** Deleted comments (a thread, or one reply): their users' reaction state, reactor index and media. */
  | { kind: 'comments'; post_id: number; comment_ids: number[]; media_keys: string[] };

const send = queueSender<CleanupJob>('cleanup');

export async function enqueueCleanup(job: CleanupJob, delaySeconds?: number): Promise<void> {
  await send(job, delaySeconds);
}
