import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE, db } from '../core/db.ts';
import { userStateKeys } from '../core/keys.ts';
import { isReactionType, type ReactionType } from '../core/reactions.ts';
import { batchGet } from './batch-get.ts';
import { queryAll } from './query.ts';

/** What one user did to one post (or comment): the source of `has_viewed` and `user_reaction`. */
export interface UserState {
  viewed: boolean;
  reaction: ReactionType | null;
}

export const NO_STATE: UserState = { viewed: false, reaction: null };

/** The user's state on a set of posts and on their comments, keyed by post id. */
export interface UserStates {
  post(postId: number): UserState;
  comment(commentId: number): UserState;
}

function stateOf(item: Record<string, unknown>): UserState {
  return { viewed: typeof item.viewed_at === 'string', reaction: isReactionType(item.reaction) ? item.reaction : null };
}

function statesFrom(items: Record<string, unknown>[]): UserStates {
  const posts = new Map<number, UserState>();
  const comments = new Map<number, UserState>();
  for (const item of items) {
    const { postId, commentId } = userStateKeys.parse(item.sk as string);
    if (commentId === null) posts.set(postId, stateOf(item));
    else comments.set(commentId, stateOf(item));
  }
  return {
    post: (postId) => posts.get(postId) ?? NO_STATE,
    comment: (commentId) => comments.get(commentId) ?? NO_STATE,
  };
}

/**
 * The user's state on every post with an id in [lowest, highest] (and on those posts' comments) in
 * ONE Query: the per-user items sort by zero-padded post id, so a page's range is one key range.
 */
export async function userStatesInRange(userId: string, lowestPostId: number, highestPostId: number): Promise<UserStates> {
  const range = userStateKeys.postRange(lowestPostId, highestPostId);
  const items = await queryAll({
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    ExpressionAttributeValues: { ':pk': userStateKeys.partition(userId), ':from': range.from, ':to': range.to },
  });
  return statesFrom(items);
}

/** The user's state on one post only (no comments): one GetItem. */
export async function userPostState(userId: string, postId: number): Promise<UserState> {
  const result = await db.send(new GetCommand({ TableName: TABLE, Key: userStateKeys.post(userId, postId) }));
  return result.Item ? stateOf(result.Item) : NO_STATE;
}

/**
 * The user's state on scattered posts (not their comments) in one BatchGetItem: a fixed cost per id
 * (0.5 RCU each, found or not), where a range Query would read everything between the ids.
 */
export async function userPostStates(userId: string, postIds: number[]): Promise<UserStates> {
  if (postIds.length === 0) return EMPTY_STATES;
  return statesFrom(await batchGet(postIds.map((id) => userStateKeys.post(userId, id))));
}

/** A range at most this many times wider than the ids asked for is read with one Query. */
const DENSE_SPAN_FACTOR = 4;

/**
 * The user's state on a set of posts, by the cheaper read: ids close together (a feed window, what
 * scroll tracking sends) take one range Query, which bills only what the user has stored in the
 * range (~0.5 RCU for a page); scattered ids (a trending list, arbitrary ids) take one BatchGetItem
 * at a fixed 0.5 RCU per id, where a Query would read everything the user has between them.
 */
export async function userStatesOf(userId: string, postIds: number[]): Promise<UserStates> {
  if (postIds.length === 0) return EMPTY_STATES;
  const lowest = Math.min(...postIds);
  const highest = Math.max(...postIds);
  if (highest - lowest + 1 <= DENSE_SPAN_FACTOR * new Set(postIds).size) return userStatesInRange(userId, lowest, highest);
  return userPostStates(userId, postIds);
}

export const EMPTY_STATES: UserStates = { post: () => NO_STATE, comment: () => NO_STATE };
