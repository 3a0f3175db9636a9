import { commentKeys, postPartitionKeys, reactionObjectTags, userStateKeys, type Key } from '../core/keys.ts';
import { batchWrite, deleteRequest } from './batch-write.ts';
import { queryAll, queryPages } from './query.ts';

/**
 * Everything a deleted post leaves behind, found through its own partition: comments and replies
 * (and their id lookups), view buckets, the viewer logs and reactor index that name every user who
 * has per-user state on the post, and the media keys to remove from the bucket.
 */
export interface Leftovers {
  keys: Key[];
  userIds: Set<string>;
  mediaKeys: string[];
  /** The pass stopped at its bounds: more of the partition is left for another pass. */
  more: boolean;
}

/** How much one pass takes on: partition items, and users whose state it must find (a Query each). */
export interface PassBounds {
  maxItems: number;
  maxUsers: number;
}

/** Items per Query page of a pass: small enough that a pass stops close to its bounds. */
const PASS_PAGE_ITEMS = 100;

function partitionItems(pk: string, beginsWith?: string) {
  return queryAll({
    KeyConditionExpression: beginsWith ? 'pk = :pk AND begins_with(sk, :prefix)' : 'pk = :pk',
    ExpressionAttributeValues: beginsWith ? { ':pk': pk, ':prefix': beginsWith } : { ':pk': pk },
    ConsistentRead: true,
  });
}

function isComment(sk: string): boolean {
  return sk.startsWith(commentKeys.topLevelPrefix) || sk.startsWith(commentKeys.previewPrefix) || sk.startsWith('R#');
}

/**
 * The first part of what a deleted post left, within `bounds`. A pass deletes what it found, so the
 * next pass starts from the partition's beginning again and finds only what is still there.
 */
export async function postLeftovers(postId: number, bounds: PassBounds = { maxItems: Infinity, maxUsers: Infinity }): Promise<Leftovers> {
  const leftovers: Leftovers = { keys: [], userIds: new Set(), mediaKeys: [], more: false };
  const pages = queryPages({
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': postPartitionKeys.partition(postId) },
    ConsistentRead: true,
    Limit: PASS_PAGE_ITEMS,
  });
  for await (const page of pages) {
    for (const item of page) {
      // This item and what follows are the next pass's.
      if (leftovers.keys.length >= bounds.maxItems || leftovers.userIds.size >= bounds.maxUsers) return { ...leftovers, more: true };
      addLeftover(leftovers, item);
    }
  }
  return leftovers;
}

function addLeftover(leftovers: Leftovers, item: Record<string, unknown>): void {
  const sk = item.sk as string;
  leftovers.keys.push({ pk: item.pk as string, sk });
  if (isComment(sk)) {
    leftovers.keys.push(commentKeys.lookup(item.id as number));
    if (typeof item.media_key === 'string') leftovers.mediaKeys.push(item.media_key);
  } else if (sk.startsWith(postPartitionKeys.viewerLogPrefix)) {
    for (const userId of (item.user_ids as Set<string> | string[] | undefined) ?? []) leftovers.userIds.add(userId);
  } else if (sk.startsWith(postPartitionKeys.reactorIndexPrefix())) {
    leftovers.userIds.add(item.user_id as string);
  }
}

/** The keys of a user's state on a post and on all its comments. */
export async function userStateKeysOnPost(userId: string, postId: number): Promise<Key[]> {
  const items = await partitionItems(userStateKeys.partition(userId), userStateKeys.postPrefix(postId));
  return items.map((item) => ({ pk: item.pk as string, sk: item.sk as string }));
}

/**
 * What reactions on a deleted comment left: each reactor's state item on it and the reactor-index
 * item that named them (written in the same transaction as the state, so none is missed).
 */
export async function commentReactionKeys(postId: number, commentId: number): Promise<Key[]> {
  const partition = postPartitionKeys.partition(postId);
  const index = await partitionItems(partition, postPartitionKeys.reactorIndexPrefix(reactionObjectTags.comment(commentId)));
  return index.flatMap((item) => [
    { pk: item.pk as string, sk: item.sk as string },
    userStateKeys.comment(item.user_id as string, postId, commentId),
  ]);
}

export async function deleteKeys(keys: Key[]): Promise<void> {
  const unique = new Map(keys.map((key) => [`${key.pk}\u0000${key.sk}`, key]));
  await batchWrite([...unique.values()].map(deleteRequest));
}
