import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE, db, isConditionFailure, writeIf } from '../core/db.ts';
import { counterKeys, FEED_CHANGE_SHARDS, type Key } from '../core/keys.ts';
import { batchGet } from './batch-get.ts';

/**
 * The state behind coalesced view counters (lambdas/core/counters.ts): flush claims (`due`, epoch
 * milliseconds), the feed's sharded set of changed posts, and the last count each audience was sent
 * (`sent` for the post's group, `feed_sent` for the feed), which only ever rises.
 */
export type CounterAudience = 'post' | 'feed';

/** State outlives any window by far; a deleted post's tick goes with its partition or by TTL. */
const TTL_SECONDS = 2 * 24 * 3600;
const ttl = (nowMs: number) => Math.floor(nowMs / 1000) + TTL_SECONDS;
const SENT_ATTRIBUTE: Record<CounterAudience, string> = { post: 'sent', feed: 'feed_sent' };

/** A won claim says how long its window is (the job's delay); a lost one when the pending flush is due. */
export type Claim = { claimed: true; windowMs: number } | { claimed: false; dueMs: number };

/**
 * Claims the next flush of `key` if none is pending: due = now + the item's `window_ms` (or
 * `defaultWindowMs`) - `marginMs`, in one conditional write, so every claimer uses the window the
 * last flush set (the feed's widens with its audience) without reading it first.
 */
async function claim(key: Key, nowMs: number, defaultWindowMs: number, marginMs: number): Promise<Claim> {
  try {
    const result = await db.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: key,
        UpdateExpression: 'SET #due = if_not_exists(#window, :window) + :from, #ttl = :ttl',
        ConditionExpression: 'attribute_not_exists(#due) OR #due <= :now',
        ExpressionAttributeNames: { '#due': 'due', '#window': 'window_ms', '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':window': defaultWindowMs, ':from': nowMs - marginMs, ':now': nowMs, ':ttl': ttl(nowMs) },
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return { claimed: true, windowMs: Number(result.Attributes?.window_ms ?? defaultWindowMs) };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    // The document client leaves the item on the error in DynamoDB's own JSON ({ N: "..." }).
    const due = (error as { Item?: { due?: { N?: string } | number } }).Item?.due;
    const dueMs = Number(typeof due === 'object' ? due.N : due);
    return { claimed: false, dueMs: Number.isFinite(dueMs) ? dueMs : nowMs + defaultWindowMs - marginMs };
  }
}

/** Claims the next flush of a post's group counter: won by the one caller that should schedule it. */
export function claimPostFlush(postId: number, nowMs: number, windowMs: number, marginMs: number): Promise<Claim> {
  return claim(counterKeys.post(postId), nowMs, windowMs, marginMs);
}

/**
 * A trailing flush's claim and its count in one conditional write: claims the post's next window
 * (as claimPostFlush) and records `views` as sent, only if no window is pending and the group was
 * sent less. False when either is not so: the pending window's flushes cover it, or nothing rose.
 */
export async function claimPostFlushRaisingSent(postId: number, views: number, nowMs: number, windowMs: number): Promise<boolean> {
  return writeIf(
    new UpdateCommand({
      TableName: TABLE,
      Key: counterKeys.post(postId),
      UpdateExpression: 'SET #due = if_not_exists(#window, :window) + :now, #sent = :views, #ttl = :ttl',
      ConditionExpression: '(attribute_not_exists(#due) OR #due <= :now) AND (attribute_not_exists(#sent) OR #sent < :views)',
      ExpressionAttributeNames: { '#due': 'due', '#window': 'window_ms', '#sent': SENT_ATTRIBUTE.post, '#ttl': 'ttl' },
      ExpressionAttributeValues: { ':window': windowMs, ':now': nowMs, ':views': views, ':ttl': ttl(nowMs) },
    }),
  );
}

/** Claims the next flush of the feed's counters (its window: the one recordFeedWindow last set, else `defaultWindowMs`). */
export function claimFeedFlush(nowMs: number, defaultWindowMs: number, marginMs: number): Promise<Claim> {
  return claim(counterKeys.feedFlush(), nowMs, defaultWindowMs, marginMs);
}

/** The feed's audience as its last counter delivery found it, and the window that keeps it in budget. */
export async function recordFeedWindow(audience: number, windowMs: number, nowMs: number): Promise<void> {
  await db.send(
    new UpdateCommand({
      TableName: TABLE,
      Key: counterKeys.feedFlush(),
      UpdateExpression: 'SET #audience = :audience, #window = :window, #ttl = :ttl',
      ExpressionAttributeNames: { '#audience': 'audience', '#window': 'window_ms', '#ttl': 'ttl' },
      ExpressionAttributeValues: { ':audience': audience, ':window': windowMs, ':ttl': ttl(nowMs) },
    }),
  );
}

/** Adds posts to one (random) shard of the feed's changed set. */
export async function markFeedChanged(postIds: number[], nowMs: number): Promise<void> {
  if (postIds.length === 0) return;
  const shard = Math.floor(Math.random() * FEED_CHANGE_SHARDS);
  await db.send(
    new UpdateCommand({
      TableName: TABLE,
      Key: counterKeys.feedChanged(shard),
      UpdateExpression: 'ADD #changed :ids SET #ttl = :ttl',
      ExpressionAttributeNames: { '#changed': 'changed', '#ttl': 'ttl' },
      ExpressionAttributeValues: { ':ids': new Set(postIds), ':ttl': ttl(nowMs) },
    }),
  );
}

/** Every post in the feed's changed set, with the shards that list it. */
export async function feedChanges(): Promise<Map<number, number[]>> {
  const shards = Array.from({ length: FEED_CHANGE_SHARDS }, (_, shard) => shard);
  const items = await batchGet(shards.map(counterKeys.feedChanged), ['changed'], true);
  const changes = new Map<number, number[]>();
  for (const item of items) {
    const shard = shards.find((candidate) => counterKeys.feedChanged(candidate).pk === item.pk)!;
    for (const postId of (item.changed as Set<number> | undefined) ?? []) changes.set(postId, [...(changes.get(postId) ?? []), shard]);
  }
  return changes;
}

/** Takes posts out of the feed's changed set (the shards named for each). */
export async function forgetFeedChanges(changes: Map<number, number[]>): Promise<void> {
  const byShard = new Map<number, number[]>();
  for (const [postId, shards] of changes) for (const shard of shards) byShard.set(shard, [...(byShard.get(shard) ?? []), postId]);
  await Promise.all(
    [...byShard].map(([shard, postIds]) =>
      db.send(
        new UpdateCommand({
          TableName: TABLE,
          Key: counterKeys.feedChanged(shard),
          UpdateExpression: 'DELETE #changed :ids',
          ExpressionAttributeNames: { '#changed': 'changed' },
          ExpressionAttributeValues: { ':ids': new Set(postIds) },
        }),
      ),
    ),
  );
}

/**
 * Records `views` as the count an audience is being sent, unless it was already sent a higher one,
 * or this same one when `orSame` is false: false then (the count is stale, or went out already).
 * `orSame` is for a retried flush, which may have recorded its count and failed before sending it.
 */
export async function raiseSent(postId: number, audience: CounterAudience, views: number, nowMs: number, orSame = true): Promise<boolean> {
  return writeIf(
    new UpdateCommand({
      TableName: TABLE,
      Key: counterKeys.post(postId),
      UpdateExpression: 'SET #sent = :views, #ttl = :ttl',
      ConditionExpression: orSame ? 'attribute_not_exists(#sent) OR #sent <= :views' : 'attribute_not_exists(#sent) OR #sent < :views',
      ExpressionAttributeNames: { '#sent': SENT_ATTRIBUTE[audience], '#ttl': 'ttl' },
      ExpressionAttributeValues: { ':views': views, ':ttl': ttl(nowMs) },
    }),
  );
}

/** The highest count an audience has been sent for a post (0 when none). */
export async function sentCount(postId: number, audience: CounterAudience): Promise<number> {
  const result = await db.send(
    new GetCommand({ TableName: TABLE, Key: counterKeys.post(postId), ProjectionExpression: '#sent', ExpressionAttributeNames: { '#sent': SENT_ATTRIBUTE[audience] }, ConsistentRead: true }),
  );
  return Number(result.Item?.[SENT_ATTRIBUTE[audience]] ?? 0);
}
