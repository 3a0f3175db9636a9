import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE, db } from '../core/db.ts';
import { userStateKeys } from '../core/keys.ts';
import { isReactionType, type ReactionType } from '../core/reactions.ts';
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

export const EMPTY_STATES: UserStates = { post: () => NO_STATE, comment: () => NO_STATE };
