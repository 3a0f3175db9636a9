import { createHash } from 'node:crypto';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE, conditionFailedAt, db } from '../core/db.ts';
import { feedKeys, postPartitionKeys, userStateKeys } from '../core/keys.ts';
import { hourOf, hourStartSeconds } from '../core/view-time.ts';
import { queryAll } from './query.ts';

/** One user's first sight of a post, as the views worker receives it. */
export interface View {
  userId: string;
  viewedAt: string;
}

export type ViewOutcome =
  | { status: 'counted'; added: number }
  | { status: 'nothing-new' }
  | { status: 'post-gone' };

/** Hourly buckets outlive the 7 days view_stats reports (today and 6 days back), then TTL removes them. */
const BUCKET_RETENTION_SECONDS = 8 * 24 * 3600;
/** TransactWriteItems takes at most 100 actions. */
const MAX_ACTIONS = 100;

function bucketExpiry(hour: string): number {
  return hourStartSeconds(hour) + BUCKET_RETENTION_SECONDS;
}

/**
 * The log is named after the viewers whose markers its transaction commits; a marker commits only
 * once, so two logs of a post never share a name (nor a viewer).
 */
function viewerLogId(userIds: string[]): string {
  return createHash('sha256').update([...userIds].sort().join('\n')).digest('hex').slice(0, 20);
}

function perHour(views: View[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const view of views) counts.set(hourOf(view.viewedAt), (counts.get(hourOf(view.viewedAt)) ?? 0) + 1);
  return counts;
}

/**
 * Splits a post's views into transactions of at most 100 actions: one marker per view, plus the
 * counter, one bucket per hour the chunk's views fall in, and the viewer log.
 */
export function chunkViews(views: View[]): View[][] {
  const chunks: View[][] = [];
  let chunk: View[] = [];
  let hours = new Set<string>();
  for (const view of views) {
    const hour = hourOf(view.viewedAt);
    const markers = chunk.length + 1;
    const buckets = hours.size + (hours.has(hour) ? 0 : 1);
    const actions = markers + 1 + buckets + 1; // + the counter and the log
    if (chunk.length > 0 && actions > MAX_ACTIONS) {
      chunks.push(chunk);
      chunk = [];
      hours = new Set();
    }
    chunk.push(view);
    hours.add(hour);
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/**
 * Markers come first, so the counter's action sits at index `views.length` and a cancellation
 * reason there is about the post itself (gone), not about a viewer.
 */
function transaction(postId: number, views: View[]) {
  const userIds = views.map((view) => view.userId);
  return [
    ...views.map((view) => ({
      Update: {
        TableName: TABLE,
        Key: userStateKeys.post(view.userId, postId),
        UpdateExpression: 'SET viewed_at = :at',
        ConditionExpression: 'attribute_not_exists(viewed_at)',
        ExpressionAttributeValues: { ':at': view.viewedAt },
      },
    })),
    {
      Update: {
        TableName: TABLE,
        Key: feedKeys.postStats(postId),
        UpdateExpression: 'ADD #views :k',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#views': 'views' },
        ExpressionAttributeValues: { ':k': views.length },
      },
    },
    ...[...perHour(views)].map(([hour, n]) => {
      const index = postPartitionKeys.hourBucketIndexKey(hour);
      return {
        Update: {
          TableName: TABLE,
          Key: postPartitionKeys.hourBucket(postId, hour),
          UpdateExpression: 'ADD #n :n SET #ttl = if_not_exists(#ttl, :ttl), #index = :hour',
          ExpressionAttributeNames: { '#n': 'n', '#ttl': 'ttl', '#index': index.attribute },
          ExpressionAttributeValues: { ':n': n, ':ttl': bucketExpiry(hour), ':hour': index.value },
        },
      };
    }),
    // The cleanup of a deleted post finds every per-user marker through these logs. Written in the
    // same transaction, a log names exactly the users whose markers committed, and nothing at all is
    // left in the partition of a post that was already deleted.
    { Put: { TableName: TABLE, Item: { ...postPartitionKeys.viewerLog(postId, viewerLogId(userIds)), user_ids: new Set(userIds) } } },
  ];
}

/**
 * Counts each user's view of a post at most once, ever. Every marker write carries the condition
 * "not viewed yet" and sits in ONE transaction with the post's counter, hour buckets and viewer log,
 * so the counter moves by exactly the number of markers written: redelivered messages, duplicates,
 * racing batches and crashes between steps cannot double count or lose a view. Markers that already
 * exist are dropped and the rest retried; a missing post ends it (deleted posts are skipped, not retried).
 */
async function countChunk(postId: number, chunk: View[]): Promise<{ added: number } | 'post-gone'> {
  let pending = chunk;
  while (pending.length > 0) {
    try {
      await db.send(new TransactWriteCommand({ TransactItems: transaction(postId, pending) }));
      return { added: pending.length };
    } catch (error) {
      // Conflicts and throttling were retried by db.ts already: only a failed condition is ours.
      if (conditionFailedAt(error, pending.length)) return 'post-gone';
      const fresh = pending.filter((_, index) => !conditionFailedAt(error, index));
      if (fresh.length === pending.length) throw error;
      pending = fresh;
    }
  }
  return { added: 0 };
}

export async function countViews(postId: number, views: View[]): Promise<ViewOutcome> {
  let added = 0;
  for (const chunk of chunkViews(views)) {
    const result = await countChunk(postId, chunk);
    if (result === 'post-gone') return { status: 'post-gone' };
    added += result.added;
  }
  // No read of the new count here: the counter flushes read it when they run (a strongly
  // consistent GetItem per post per batch on the feed partition was 540 RCU/s at 1 M DAU in the
  // scale model), and a post deleted since is skipped there.
  return added === 0 ? { status: 'nothing-new' } : { status: 'counted', added };
}

/** Views of one post per hour in [firstHour, lastHour] (hours without views are absent): one Query. */
export async function hourlyViews(postId: number, firstHour: string, lastHour: string): Promise<Map<string, number>> {
  const items = await queryAll({
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    ExpressionAttributeValues: {
      ':pk': postPartitionKeys.partition(postId),
      ':from': postPartitionKeys.hourBucket(postId, firstHour).sk,
      ':to': postPartitionKeys.hourBucket(postId, lastHour).sk,
    },
    ProjectionExpression: 'sk, #n',
    ExpressionAttributeNames: { '#n': 'n' },
  });
  return new Map(items.map((item) => [(item.sk as string).slice(postPartitionKeys.hourBucketPrefix.length), (item.n as number | undefined) ?? 0]));
}
