import { GetCommand, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { TABLE, conditionFailedAt, db } from '../core/db.ts';
import { feedKeys, postPartitionKeys, reactionObjectTags, userStateKeys, type Key } from '../core/keys.ts';
import { REACTION_ATTRIBUTES, isReactionType, type ReactionType } from '../core/reactions.ts';
import { keyOf, type CommentLocation } from './comment-items.ts';
import { findLocation } from './comments.ts';
import { postExists } from './posts.ts';
import { AGAIN, optimistic } from './optimistic.ts';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** What is reacted to: the post itself (`comment` null) or one of its comments, where it lives. */
export interface ReactionTarget {
  postId: number;
  comment: CommentLocation | null;
}

export type ReactionOutcome =
  | { status: 'changed'; previous: ReactionType | null; at: string; target: ReactionTarget }
  | { status: 'unchanged'; target: ReactionTarget }
  | { status: 'gone' };

function stateKey(userId: string, target: ReactionTarget): Key {
  return target.comment ? userStateKeys.comment(userId, target.postId, target.comment.commentId) : userStateKeys.post(userId, target.postId);
}

function counterKey(target: ReactionTarget): Key {
  return target.comment ? keyOf(target.comment) : feedKeys.postStats(target.postId);
}

/** Moves the per-type counters of the reacted-to item: +1 for the new type, -1 for the old one. */
function moveCounters(target: ReactionTarget, previous: ReactionType | null, next: ReactionType | null): TransactItem {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const adds: string[] = [];
  if (next) {
    names['#next'] = REACTION_ATTRIBUTES[next];
    adds.push('#next :one');
  }
  if (previous) {
    names['#previous'] = REACTION_ATTRIBUTES[previous];
    values[':minus'] = -1;
    adds.push('#previous :minus');
  }
  // A comment item's version moves with it, so a promotion copying the item never loses this change.
  if (target.comment) adds.push('v :one');
  if (next || target.comment) values[':one'] = 1;
  return {
    Update: {
      TableName: TABLE,
      Key: counterKey(target),
      UpdateExpression: `ADD ${adds.join(', ')}`,
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}

/** Records the user's reaction, conditioned on the one read: of two racing changes, one re-reads. */
function setState(userId: string, target: ReactionTarget, previous: ReactionType | null, next: ReactionType | null, at: string): TransactItem {
  const values: Record<string, unknown> = {};
  if (previous) values[':previous'] = previous;
  let update = 'REMOVE reaction, reacted_at';
  if (next) {
    update = 'SET reaction = :next, reacted_at = :at';
    Object.assign(values, { ':next': next, ':at': at });
  }
  return {
    Update: {
      TableName: TABLE,
      Key: stateKey(userId, target),
      UpdateExpression: update,
      ConditionExpression: previous ? 'reaction = :previous' : 'attribute_not_exists(reaction)',
      ExpressionAttributeValues: Object.keys(values).length ? values : undefined,
    },
  };
}

/** Names the user in the post's partition, so a delete (of the post or the comment) finds their state item. */
function reactorIndex(userId: string, target: ReactionTarget): TransactItem {
  const tag = target.comment ? reactionObjectTags.comment(target.comment.commentId) : reactionObjectTags.post;
  return { Put: { TableName: TABLE, Item: { ...postPartitionKeys.reactorIndex(target.postId, tag, userId), user_id: userId } } };
}

async function currentReaction(userId: string, target: ReactionTarget): Promise<ReactionType | null> {
  const { Item } = await db.send(
    new GetCommand({ TableName: TABLE, Key: stateKey(userId, target), ProjectionExpression: 'reaction', ConsistentRead: true }),
  );
  return isReactionType(Item?.reaction) ? Item.reaction : null;
}

/**
 * Sets (or, with `next` null, removes) the user's one reaction on a post or comment. The counter
 * move, the user's state (conditioned on the reaction read: `reaction = :old`, or none yet) and, on
 * a first reaction, the reactor-index item commit in ONE transaction, so racing or retried requests
 * can never make the counts drift: a loser re-reads and moves the counters from what really is there.
 */
export async function setReaction(userId: string, target: ReactionTarget, next: ReactionType | null, now = () => new Date()): Promise<ReactionOutcome> {
  let current = target;
  return optimistic<ReactionOutcome>(async (round) => {
    // A deleted post's comments linger until its cleanup: a comment reaction needs the post too. A
    // read beside the state read (0.5 RCU) rather than a ConditionCheck in the transaction (2 WCU):
    // a reaction racing the post's deletion is swept by the cleanup's second pass.
    const [previous, postThere] = await Promise.all([
      currentReaction(userId, current),
      current.comment && round === 0 ? postExists(current.postId) : true,
    ]);
    if (!postThere) return { status: 'gone' };
    if (previous === next) return { status: 'unchanged', target: current };
    const at = now().toISOString();
    const items = [moveCounters(current, previous, next), setState(userId, current, previous, next, at)];
    if (!previous && next) items.push(reactorIndex(userId, current));
    try {
      await db.send(new TransactWriteCommand({ TransactItems: items }));
      return { status: 'changed', previous, at, target: current };
    } catch (error) {
      if (conditionFailedAt(error, 1)) return AGAIN;
      if (!conditionFailedAt(error, 0)) throw error;
      if (!current.comment) return { status: 'gone' };
      // The comment is gone, or was promoted into its thread's preview since it was located.
      const moved = await findLocation(current.comment.commentId, true);
      if (!moved || moved.placement === current.comment.placement) return { status: 'gone' };
      current = { ...current, comment: moved };
      return AGAIN;
    }
  });
}
