import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import pLimit from 'p-limit';
import { feedCountersChanged, schedulePostFlush } from '../core/counters.ts';
import { logger } from '../core/logger.ts';
import { isRedelivery } from '../core/sqs-record.ts';
import type { ViewsMessage } from '../core/views-queue.ts';
import { refreshTrendingIfStale } from '../domain/trending-snapshot.ts';
import { countViews, type View } from '../repositories/views.ts';

interface PostViews {
  views: Map<string, View>;
  /** Messages that asked for these views: they fail together if the post's write fails. */
  messageIds: Set<string>;
}

function parse(body: string): ViewsMessage | undefined {
  try {
    const message = JSON.parse(body) as ViewsMessage;
    const valid =
      typeof message.user_id === 'string' &&
      message.user_id.length > 0 &&
      typeof message.viewed_at === 'string' &&
      !Number.isNaN(Date.parse(message.viewed_at)) &&
      Array.isArray(message.post_ids) &&
      message.post_ids.every((id) => Number.isSafeInteger(id) && id > 0);
    // One spelling of the instant, so the earliest of a user's views in a batch is found by comparing text.
    return valid ? { ...message, viewed_at: new Date(message.viewed_at).toISOString() } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The views worker: a batch of "user saw posts" messages becomes, per post, one transaction that
 * records each first view and moves the counters; then the posts whose counts moved are handed to
 * the coalesced counters (core/counters.ts), which tell each post's group within a second and the
 * feed within its window, with the count as it is then. A post whose write fails fails only the
 * messages that named it (partial batch failure); their other views are already recorded and are not
 * counted twice on retry. A deleted or unknown post is skipped (not failed: retrying cannot bring it
 * back). After a batch that counted something, the trending snapshot is refreshed if it is stale. A
 * redelivered message that finds its views already counted (the invocation before died before the
 * counters heard of them) hands its posts to the counters again: the event is at least once, like
 * the count is exactly once.
 */
/**
 * Time kept back from the batch for the broadcast and the trending refresh. A post's transaction is
 * not started with less left: its messages fail (and come back) instead of the whole batch timing out
 * with honest views in it, which would send every message of the batch toward the dead-letter queue.
 */
const RESERVE_MS = 3_000;

export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  logger.addContext(context);
  const failed = new Set<string>();
  const byPost = new Map<number, PostViews>();
  for (const record of event.Records) {
    const message = parse(record.body);
    if (!message) {
      logger.error('Malformed views message', { messageId: record.messageId });
      failed.add(record.messageId);
      continue;
    }
    for (const postId of new Set(message.post_ids)) {
      const entry = byPost.get(postId) ?? { views: new Map(), messageIds: new Set() };
      byPost.set(postId, entry);
      entry.messageIds.add(record.messageId);
      const earlier = entry.views.get(message.user_id);
      if (!earlier || message.viewed_at < earlier.viewedAt) entry.views.set(message.user_id, { userId: message.user_id, viewedAt: message.viewed_at });
    }
  }

  const redelivered = new Set(event.Records.filter(isRedelivery).map((record) => record.messageId));
  const changed: number[] = [];
  let counted = 0;
  let deferred = 0;
  const limit = pLimit(8);
  await Promise.all(
    [...byPost].map(([postId, entry]) =>
      limit(async () => {
        if (context.getRemainingTimeInMillis() < RESERVE_MS) {
          deferred += 1;
          for (const id of entry.messageIds) failed.add(id);
          return;
        }
        let outcome: Awaited<ReturnType<typeof countViews>>;
        try {
          outcome = await countViews(postId, [...entry.views.values()]);
        } catch (error) {
          logger.error('Counting views failed', { postId, error: error as Error });
          for (const id of entry.messageIds) failed.add(id);
          return;
        }
        if (outcome.status === 'counted') counted += 1;
        else if (!(outcome.status === 'nothing-new' && [...entry.messageIds].some((id) => redelivered.has(id)))) return;
        changed.push(postId);
        // At once, not after the batch: the post's screen hears its count within the pipeline's time.
        await schedulePostFlush(postId).catch((error) => {
          // Counted, but its group will not hear of it: the messages come back, find the views counted, and try again.
          logger.error('Scheduling a post counter update failed', { postId, error: error as Error });
          for (const id of entry.messageIds) failed.add(id);
        });
      }),
    ),
  );
  if (deferred > 0) logger.warn('Batch out of time: posts left for the retry', { deferred, posts: byPost.size });
  await feedCountersChanged(changed).catch((error) => {
    // Counted, but nobody will hear of it: the messages come back, find the views counted, and try again.
    logger.error('Scheduling feed counter updates failed', { error: error as Error, posts: changed.length });
    for (const postId of changed) for (const id of byPost.get(postId)!.messageIds) failed.add(id);
  });
  if (counted > 0) {
    // Best effort: a failed refresh must not fail views that are already counted; readers refresh too.
    await refreshTrendingIfStale(new Date()).catch((error) => logger.error('Trending refresh failed', { error: error as Error }));
  }
  return { batchItemFailures: [...failed].map((itemIdentifier) => ({ itemIdentifier })) };
}
