import { queueSender } from './sqs.ts';

/** Work left behind by a delete: everything that hung off the deleted thing, removed in the background. */
export type CleanupJob =
  | { kind: 'post'; post_id: number; media_key: string | null }
  | { kind: 'comment'; post_id: number; comment_id: number; media_keys: string[] };

const send = queueSender<CleanupJob>('cleanup');

export async function enqueueCleanup(job: CleanupJob): Promise<void> {
  await send(job);
}
