import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { TABLE, cancellationReasons, db } from '../core/db.ts';
import { commentKeys } from '../core/keys.ts';
import { commentItem, keyOf, locationOf, lookupItem, type CommentLocation, type CommentRecord } from './comment-items.ts';
import { countComments } from './comment-writes.ts';
import { findLocation, getComment, oldestLaterReply, threadReplies, type LocatedComment } from './comments.ts';
import { AGAIN, optimistic } from './optimistic.ts';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export type DeleteOutcome = { status: 'deleted'; removed: CommentRecord[] } | { status: 'gone' } | { status: 'post-gone' };

/** TransactWriteItems takes 100 items: a reply costs two (item and lookup), the root, its lookup and the counter three. */
const REPLIES_PER_TRANSACTION = 45;

interface Condition {
  ConditionExpression: string;
  ExpressionAttributeValues?: Record<string, unknown>;
}

/** A comment item (under a condition, if given) and its id lookup. */
const remove = (location: CommentLocation, condition?: Condition): TransactItem[] => [
  { Delete: { TableName: TABLE, Key: keyOf(location), ...condition } },
  { Delete: { TableName: TABLE, Key: commentKeys.lookup(location.commentId) } },
];

function rootCondition(replyCount: number): Condition {
  return { ConditionExpression: 'reply_count = :seen', ExpressionAttributeValues: { ':seen': replyCount } };
}

/** Takes `by` replies off a thread's count, if it still has the count this attempt read. */
function shrinkRoot(postId: number, rootId: number, by: number, seen: number): TransactItem {
  return {
    Update: {
      TableName: TABLE,
      Key: commentKeys.topLevel(postId, rootId),
      UpdateExpression: 'ADD reply_count :minus',
      ConditionExpression: 'reply_count = :seen',
      ExpressionAttributeValues: { ':minus': -by, ':seen': seen },
    },
  };
}

const statsFailed = (error: unknown, index: number) => cancellationReasons(error)?.[index] === 'ConditionalCheckFailed';

/**
 * Deletes a top-level comment with its whole thread and moves the post's counters by exactly what
 * went, under the root's `reply_count` as read (a reply racing in makes the attempt start over, so
 * no reply is orphaned). A thread too big for one transaction loses its newest replies first, a
 * chunk per transaction with the counters moved in each, so every intermediate state is consistent
 * (counts exact, the preview still the thread's oldest replies) and a retry just continues. The
 * thread is read once: later chunks come from what was read (the count condition proves nothing
 * changed), and only a conflict reads it again. `onRemoved` hears of each chunk as it commits, so
 * what hangs off it (reactions, media) is handed on even if a later chunk never happens.
 */
export async function deleteThread(postId: number, rootId: number, onRemoved: (chunk: CommentRecord[]) => Promise<void> = async () => undefined): Promise<DeleteOutcome> {
  const removed: CommentRecord[] = [];
  const rootLocation: CommentLocation = { commentId: rootId, postId, rootId: null, placement: 'top' };
  let known: { root: CommentRecord; replyCount: number; replies: LocatedComment[] } | undefined;
  for (;;) {
    const step = await optimistic<'done' | 'more' | 'gone' | 'post-gone'>(async () => {
      if (!known) {
        const root = await getComment(rootLocation, true);
        if (!root) return 'gone';
        const replies = await threadReplies(postId, rootId);
        if (replies.length !== root.replyCount) return AGAIN;
        known = { root, replyCount: root.replyCount, replies };
      }
      const { root, replyCount, replies } = known;
      const final = replies.length <= REPLIES_PER_TRANSACTION;
      const chunk = final ? replies : replies.slice(-REPLIES_PER_TRANSACTION);
      const items: TransactItem[] = [countComments(postId, -(chunk.length + (final ? 1 : 0)), final ? -1 : 0)];
      if (final) items.push(...remove(rootLocation, rootCondition(replyCount)));
      else items.push(shrinkRoot(postId, rootId, chunk.length, replyCount));
      for (const reply of chunk) items.push(...remove(reply.location));
      try {
        await db.send(new TransactWriteCommand({ TransactItems: items }));
      } catch (error) {
        if (statsFailed(error, 0)) return 'post-gone';
        if (cancellationReasons(error)?.[1] === 'ConditionalCheckFailed') {
          known = undefined;
          return AGAIN;
        }
        throw error;
      }
      const gone = [...(final ? [root] : []), ...chunk.map((reply) => reply.comment)];
      removed.push(...gone);
      known = final ? undefined : { root, replyCount: replyCount - chunk.length, replies: replies.slice(0, -chunk.length) };
      await onRemoved(gone);
      return final ? 'done' : 'more';
    });
    if (step === 'done') return { status: 'deleted', removed };
    if (step === 'gone') return removed.length ? { status: 'deleted', removed } : { status: 'gone' };
    if (step === 'post-gone') return { status: 'post-gone' };
  }
}

/**
 * Deletes one reply. When it was one of the thread's three preview replies, the oldest later reply
 * takes its place in the same transaction (its copy conditioned on the version read, so a reaction
 * or edit landing in between makes the attempt start over instead of being lost).
 */
export async function deleteReply(replyId: number): Promise<DeleteOutcome> {
  return optimistic<DeleteOutcome>(async () => {
    const location = await findLocation(replyId, true);
    if (!location || location.rootId === null) return { status: 'gone' };
    const [reply, root] = await Promise.all([
      getComment(location, true),
      getComment({ commentId: location.rootId, postId: location.postId, rootId: null, placement: 'top' }, true),
    ]);
    if (!reply) return AGAIN;
    if (!root) return { status: 'gone' };
    const items: TransactItem[] = [
      countComments(location.postId, -1, 0),
      shrinkRoot(location.postId, location.rootId, 1, root.replyCount),
      ...remove(location, { ConditionExpression: 'attribute_exists(pk)' }),
    ];
    if (location.placement === 'preview') {
      const promoted = await oldestLaterReply(location.postId, location.rootId);
      if (promoted) {
        items.push(
          {
            Delete: {
              TableName: TABLE,
              Key: keyOf(locationOf(promoted, 'later')),
              ConditionExpression: 'v = :v',
              ExpressionAttributeValues: { ':v': promoted.version },
            },
          },
          { Put: { TableName: TABLE, Item: commentItem(promoted, 'preview'), ConditionExpression: 'attribute_not_exists(pk)' } },
          { Put: { TableName: TABLE, Item: lookupItem(locationOf(promoted, 'preview')) } },
        );
      }
    }
    try {
      await db.send(new TransactWriteCommand({ TransactItems: items }));
      return { status: 'deleted', removed: [reply] };
    } catch (error) {
      if (statsFailed(error, 0)) return { status: 'post-gone' };
      if (cancellationReasons(error)) return AGAIN;
      throw error;
    }
  });
}
