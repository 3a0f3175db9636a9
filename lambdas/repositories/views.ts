import { GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE, cancellationReasons, db } from '../core/db.ts';
import { feedKeys, postPartitionKeys, userStateKeys } from '../core/keys.ts';

/** One user's first sight of a post, as the views worker receives it. */
export interface View {
  userId: string;
  viewedAt: string;
}

export type ViewOutcome =
  | { status: 'counted'; added: number; views: number }
  | { status: 'nothing-new' }
  | { status: 'post-gone' };

/** Hourly buckets outlive the 7 days view_stats reports, then TTL removes them. */
const BUCKET_RETENTION_SECONDS = 8 * 24 * 3600;
/** TransactWriteItems takes 100 items; a few go to the counters and buckets. */
const MARKERS_PER_TRANSACTION = 90;

export function hourOf(iso: string): string {
  return iso.slice(0, 13).replace(/[-T]/g, '');
}

function bucketExpiry(hour: string): number {
  const start = Date.UTC(Number(hour.slice(0, 4)), Number(hour.slice(4, 6)) - 1, Number(hour.slice(6, 8)), Number(hour.slice(8, 10)));
  return Math.floor(start / 1000) + BUCKET_RETENTION_SECONDS;
}

/**
 * Names the users of a batch in the post's partition before their views are written, so the cleanup
 * of a deleted post can find every per-user view marker. Written first: a log naming a user whose
 * view then failed costs the cleanup one wasted delete, nothing more.
 */
export async function logViewers(postId: number, batchId: string, userIds: string[]): Promise<void> {
  await db.send(new PutCommand({ TableName: TABLE, Item: { ...postPartitionKeys.viewerLog(postId, batchId), user_ids: new Set(userIds) } }));
}

function transaction(postId: number, views: View[]) {
  const perHour = new Map<string, number>();
  for (const view of views) perHour.set(hourOf(view.viewedAt), (perHour.get(hourOf(view.viewedAt)) ?? 0) + 1);
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
    ...[...perHour].map(([hour, n]) => ({
      Update: {
        TableName: TABLE,
        Key: postPartitionKeys.hourBucket(postId, hour),
        UpdateExpression: 'ADD #n :n SET #ttl = if_not_exists(#ttl, :ttl)',
        ExpressionAttributeNames: { '#n': 'n', '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':n': n, ':ttl': bucketExpiry(hour) },
      },
    })),
  ];
}

/**
 * Counts each user's view of a post at most once, ever. Every marker write carries the condition
 * "not viewed yet" and sits in ONE transaction with the post's counter and hour buckets, so the
 * counter moves by exactly the number of markers written: redelivered messages, duplicates, racing
 * batches and crashes between steps cannot double count or lose a view. Markers that already exist
 * are dropped and the rest retried; a missing post ends it (deleted posts are skipped, not retried).
 */
async function countChunk(postId: number, chunk: View[]): Promise<{ added: number } | 'post-gone'> {
  let pending = chunk;
  for (let attempt = 0; pending.length > 0; attempt++) {
    try {
      await db.send(new TransactWriteCommand({ TransactItems: transaction(postId, pending) }));
      return { added: pending.length };
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (!reasons) throw error;
      if (reasons[pending.length] === 'ConditionalCheckFailed') return 'post-gone';
      const fresh = pending.filter((_, index) => reasons[index] !== 'ConditionalCheckFailed');
      const conflicted = reasons.some((reason) => reason === 'TransactionConflict' || reason === 'ThrottlingError');
      if (fresh.length === pending.length && !conflicted) throw error;
      if (conflicted) {
        if (attempt >= 8) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 20 * 2 ** attempt * (1 + Math.random()))));
      }
      pending = fresh;
    }
  }
  return { added: 0 };
}

export async function countViews(postId: number, views: View[]): Promise<ViewOutcome> {
  let added = 0;
  for (let start = 0; start < views.length; start += MARKERS_PER_TRANSACTION) {
    const result = await countChunk(postId, views.slice(start, start + MARKERS_PER_TRANSACTION));
    if (result === 'post-gone') return { status: 'post-gone' };
    added += result.added;
  }
  if (added === 0) return { status: 'nothing-new' };
  const { Item } = await db.send(
    new GetCommand({ TableName: TABLE, Key: feedKeys.postStats(postId), ProjectionExpression: '#views', ExpressionAttributeNames: { '#views': 'views' }, ConsistentRead: true }),
  );
  if (!Item) return { status: 'post-gone' };
  return { status: 'counted', added, views: (Item.views as number | undefined) ?? 0 };
}
