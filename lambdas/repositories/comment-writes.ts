import { TransactWriteCommand, UpdateCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { TABLE, cancellationReasons, db, isConditionFailure } from '../core/db.ts';
import { commentKeys, feedKeys } from '../core/keys.ts';
import type { MediaType } from '../core/media-types.ts';
import { commentItem, keyOf, locationOf, lookupItem, recordOf, type CommentRecord, type Placement } from './comment-items.ts';
import { findLocation, getComment, type LocatedComment } from './comments.ts';
import { AGAIN, optimistic } from './optimistic.ts';
import { setOrRemove } from './update-expression.ts';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** The replies a thread shows in list view (its oldest ones): the `RP#` items. */
export const PREVIEW_REPLIES = 3;

/** Moves the post's two comment counters; fails the transaction if the post is gone. */
export function countComments(postId: number, all: number, topLevel: number): TransactItem {
  return {
    Update: {
      TableName: TABLE,
      Key: feedKeys.postStats(postId),
      UpdateExpression: 'ADD comment_count :all, top_comment_count :top',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':all': all, ':top': topLevel },
    },
  };
}

const putNew = (Item: Record<string, unknown>): TransactItem => ({ Put: { TableName: TABLE, Item, ConditionExpression: 'attribute_not_exists(pk)' } });

function failed(error: unknown, index: number): boolean {
  return cancellationReasons(error)?.[index] === 'ConditionalCheckFailed';
}

/** A top-level comment, its id lookup and the post's counters, all or nothing; false if the post is gone. */
export async function insertTopLevel(record: CommentRecord): Promise<boolean> {
  try {
    await db.send(
      new TransactWriteCommand({
        TransactItems: [putNew(commentItem(record, 'top')), putNew(lookupItem(locationOf(record, 'top'))), countComments(record.postId, 1, 1)],
      }),
    );
    return true;
  } catch (error) {
    if (failed(error, 2)) return false;
    throw error;
  }
}

export type ReplyOutcome = { status: 'created'; record: CommentRecord; placement: Placement } | { status: 'post-gone' } | { status: 'root-gone' };

/**
 * Adds a reply to the thread of `rootId`. Every change to a thread's shape is conditioned on the
 * root's `reply_count`, so concurrent replies and deletes serialise on it: the first three replies
 * land in the preview, later ones after it. A reply also carries a condition that its id is
 * above every earlier reply of the thread; an id drawn before a racing, higher one committed is
 * swapped for a fresh one, so reply ids follow commit order and "the three oldest" is well defined.
 */
export async function insertReply(
  draft: Omit<CommentRecord, 'id'>,
  rootId: number,
  newId: () => Promise<number>,
  /** The root as the caller just read it (strongly consistent), to save the first round's read. */
  rootAsRead?: CommentRecord,
): Promise<ReplyOutcome> {
  let id: number | undefined;
  return optimistic(async (round) => {
    const root = round === 0 && rootAsRead ? rootAsRead : await getComment({ commentId: rootId, postId: draft.postId, rootId: null, placement: 'top' }, true);
    if (!root) return { status: 'root-gone' };
    if (id === undefined || (root.lastReplyId ?? 0) >= id) id = await newId();
    const record: CommentRecord = { ...draft, id, rootId };
    const placement: Placement = root.replyCount < PREVIEW_REPLIES ? 'preview' : 'later';
    try {
      await db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: TABLE,
                Key: commentKeys.topLevel(draft.postId, rootId),
                UpdateExpression: 'ADD reply_count :one SET last_reply_id = :id',
                // A preview slot needs the count exactly as read; a later reply only needs the
                // preview to be still full, so replies arriving in id order do not retry each other.
                ConditionExpression: `attribute_exists(pk) AND ${placement === 'preview' ? 'reply_count = :seen' : 'reply_count >= :seen'} AND (attribute_not_exists(last_reply_id) OR last_reply_id < :id)`,
                ExpressionAttributeValues: { ':one': 1, ':id': id, ':seen': placement === 'preview' ? root.replyCount : PREVIEW_REPLIES },
              },
            },
            putNew(commentItem(record, placement)),
            putNew(lookupItem(locationOf(record, placement))),
            countComments(draft.postId, 1, 0),
          ],
        }),
      );
      return { status: 'created', record, placement };
    } catch (error) {
      if (failed(error, 3)) return { status: 'post-gone' };
      if (failed(error, 0)) return AGAIN;
      throw error;
    }
  });
}

export interface CommentChanges {
  text?: string;
  mediaKey?: string | null;
  mediaType?: MediaType | null;
}

/**
 * Applies changes to a comment wherever it lives now (a reply may be promoted into the preview in
 * between: its lookup moves with it, so a failed condition means "read the lookup again").
 */
export async function updateComment(commentId: number, changes: CommentChanges, updatedAt: string): Promise<LocatedComment | undefined> {
  const update = setOrRemove({ updated_at: updatedAt, text: changes.text, media_key: changes.mediaKey, media_type: changes.mediaType });
  for (let round = 0; round < 3; round++) {
    const location = await findLocation(commentId, true);
    if (!location) return undefined;
    try {
      const result = await db.send(
        new UpdateCommand({
          TableName: TABLE,
          Key: keyOf(location),
          UpdateExpression: `${update.expression} ADD v :one`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: update.names,
          ExpressionAttributeValues: { ...update.values, ':one': 1 },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { location, comment: recordOf(result.Attributes!) };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
  return undefined;
}
