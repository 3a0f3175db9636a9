import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE, db } from '../core/db.ts';
import { commentKeys } from '../core/keys.ts';
import { nthSortKeyFromTop } from './key-walk.ts';
import { queryAll } from './query.ts';
import { keyOf, locationFromLookup, locationOf, recordOf, type CommentLocation, type CommentRecord, type Item, type Placement } from './comment-items.ts';

/** Where comment `commentId` lives, from its id lookup; undefined if there is no such comment. */
export async function findLocation(commentId: number, consistent = false): Promise<CommentLocation | undefined> {
  const { Item } = await db.send(new GetCommand({ TableName: TABLE, Key: commentKeys.lookup(commentId), ConsistentRead: consistent }));
  return Item ? locationFromLookup(commentId, Item) : undefined;
}

export async function getComment(location: CommentLocation, consistent = false): Promise<CommentRecord | undefined> {
  const { Item } = await db.send(new GetCommand({ TableName: TABLE, Key: keyOf(location), ConsistentRead: consistent }));
  return Item ? recordOf(Item) : undefined;
}

export interface LocatedComment {
  location: CommentLocation;
  comment: CommentRecord;
}

/**
 * A comment by id: its lookup, then its item. A reply promoted to the preview between the two reads
 * has moved; the lookup moved with it in the same transaction, so reading both again finds it.
 */
export async function findComment(commentId: number): Promise<LocatedComment | undefined> {
  for (let round = 0; round < 3; round++) {
    const location = await findLocation(commentId, true);
    if (!location) return undefined;
    const comment = await getComment(location, true);
    if (comment) return { location, comment };
  }
  return undefined;
}

export type CommentAnchor = { direction: 'older'; belowId: number } | { direction: 'newer'; aboveId: number };

/** One page of a post's top-level comments, newest first, in ONE Query (from the top or from an anchor). */
export async function topLevelPage(postId: number, size: number, anchor?: CommentAnchor): Promise<CommentRecord[]> {
  let range = commentKeys.topLevelRange();
  let newestFirst = true;
  if (anchor?.direction === 'older') {
    if (anchor.belowId <= 1) return [];
    range = commentKeys.topLevelRange(undefined, anchor.belowId - 1);
  } else if (anchor?.direction === 'newer') {
    range = commentKeys.topLevelRange(anchor.aboveId + 1);
    newestFirst = false;
  }
  const result = await db.send(
    new QueryCommand({
      TableName: TABLE,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': commentKeys.partition(postId), ':from': range.from, ':to': range.to },
      ScanIndexForward: !newestFirst,
      Limit: size,
    }),
  );
  const records = (result.Items ?? []).map(recordOf);
  return newestFirst ? records : records.reverse();
}

/** The id of the `skip`-th newest top-level comment, reading keys only (a bare `?page=N`). */
export async function nthNewestTopLevelId(postId: number, skip: number): Promise<number | undefined> {
  const sk = await nthSortKeyFromTop(commentKeys.partition(postId), commentKeys.topLevelRange(), skip);
  return sk === undefined ? undefined : commentKeys.topLevelIdOf(sk);
}

/**
 * The preview replies (each thread's three oldest) of every thread whose root id lies in
 * [lowestRootId, highestRootId], in ONE Query: a page of top-level comments is a contiguous id
 * range, so its previews are one contiguous key range. Keyed by root id, oldest first.
 */
export async function previewsInRange(postId: number, lowestRootId: number, highestRootId: number): Promise<Map<number, CommentRecord[]>> {
  const range = commentKeys.previewRange(lowestRootId, highestRootId);
  const items = await queryAll({
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    ExpressionAttributeValues: { ':pk': commentKeys.partition(postId), ':from': range.from, ':to': range.to },
  });
  const byRoot = new Map<number, CommentRecord[]>();
  for (const record of items.map(recordOf)) {
    const thread = byRoot.get(record.rootId!) ?? [];
    thread.push(record);
    byRoot.set(record.rootId!, thread);
  }
  return byRoot;
}

/** Every reply of a thread, previews and later ones, where each lives, oldest first (strongly consistent: for deletes). */
export async function threadReplies(postId: number, rootId: number): Promise<LocatedComment[]> {
  const inThread = async (prefix: string, placement: Placement) => {
    const items = await queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': commentKeys.partition(postId), ':prefix': prefix },
      ConsistentRead: true,
    });
    return items.map(recordOf).map((comment) => ({ comment, location: locationOf(comment, placement) }));
  };
  const [previews, later] = await Promise.all([
    inThread(commentKeys.previewRepliesOf(rootId), 'preview'),
    inThread(commentKeys.laterRepliesOf(rootId), 'later'),
  ]);
  return [...previews, ...later].sort((a, b) => a.comment.id - b.comment.id);
}

/** The oldest reply of a thread that is not in its preview: the one promoted when a preview reply goes. */
export async function oldestLaterReply(postId: number, rootId: number): Promise<CommentRecord | undefined> {
  const result = await db.send(
    new QueryCommand({
      TableName: TABLE,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': commentKeys.partition(postId), ':prefix': commentKeys.laterRepliesOf(rootId) },
      ConsistentRead: true,
      Limit: 1,
    }),
  );
  const item = result.Items?.[0];
  return item ? recordOf(item) : undefined;
}
