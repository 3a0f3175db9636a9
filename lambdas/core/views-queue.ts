import { logger } from './logger.ts';
import { queueSender } from './sqs.ts';

/** One request's worth of views: everything the views worker needs to count them once. */
export interface ViewsMessage {
  user_id: string;
  post_ids: number[];
  /** When the posts were seen (ISO, UTC): the hour and day buckets they count in. */
  viewed_at: string;
}

const send = queueSender<ViewsMessage>('views');

/**
 * Hands the posts a read showed to the views worker, in one message, without waiting for them to be
 * counted. Callers pass only posts the user has not viewed yet, so most reads send nothing. It never
 * throws.
 */
export async function enqueueViews(userId: string, postIds: number[], now = new Date()): Promise<void> {
  if (postIds.length === 0) return;
  try {
    await send({ user_id: userId, post_ids: [...new Set(postIds)], viewed_at: now.toISOString() });
  } catch (error) {
    // A read must not fail because its view could not be queued; the next read queues it again.
    logger.error('Could not enqueue views', { error: error as Error, count: postIds.length });
  }
}
