import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE, conditionFailedAt, db, isConditionFailure } from '../core/db.ts';
import { feedKeys } from '../core/keys.ts';
import type { MediaType } from '../core/media-types.ts';
import { reactionCountsOf, type ReactionCounts } from '../core/reactions.ts';
import type { Author } from '../domain/author.ts';
import { batchGet } from './batch-get.ts';
import { nthSortKeyFromTop } from './key-walk.ts';
import { queryUpTo, type QueryInput } from './query.ts';
import { setOrRemove } from './update-expression.ts';

export interface PostRecord {
  id: number;
  author: Author;
  title: string;
  content: string;
  mediaKey: string | null;
  mediaType: MediaType | null;
  createdAt: string;
  updatedAt: string;
}

export interface PostStats {
  views: number;
  /** Every comment, replies included. */
  commentCount: number;
  /** Top-level comments only: the `count` of the comments list. */
  topCommentCount: number;
  reactions: ReactionCounts;
}

export interface StoredPost {
  post: PostRecord;
  stats: PostStats;
}

type Item = Record<string, unknown>;

function bodyItem(post: PostRecord): Item {
  return {
    ...feedKeys.post(post.id),
    id: post.id,
    user: { id: post.author.id, display_name: post.author.displayName, profile_photo: post.author.profilePhoto },
    title: post.title,
    content: post.content,
    media_key: post.mediaKey ?? undefined,
    media_type: post.mediaType ?? undefined,
    created_at: post.createdAt,
    updated_at: post.updatedAt,
  };
}

function postOf(item: Item): PostRecord {
  const user = item.user as { id: string; display_name: string; profile_photo?: string | null };
  return {
    id: item.id as number,
    author: { id: user.id, displayName: user.display_name, profilePhoto: user.profile_photo ?? null },
    title: (item.title as string | undefined) ?? '',
    content: item.content as string,
    mediaKey: (item.media_key as string | undefined) ?? null,
    mediaType: (item.media_type as MediaType | undefined) ?? null,
    createdAt: item.created_at as string,
    updatedAt: item.updated_at as string,
  };
}

function statsOf(item: Item | undefined): PostStats {
  return {
    views: (item?.views as number | undefined) ?? 0,
    commentCount: (item?.comment_count as number | undefined) ?? 0,
    topCommentCount: (item?.top_comment_count as number | undefined) ?? 0,
    reactions: reactionCountsOf(item),
  };
}

export const EMPTY_STATS: PostStats = { views: 0, commentCount: 0, topCommentCount: 0, reactions: {} };

/** Pairs body and counter items (in whatever order a Query returned them) into posts, newest first. */
function assemble(items: Item[]): StoredPost[] {
  const bodies = new Map<number, Item>();
  const stats = new Map<number, Item>();
  for (const item of items) {
    const sk = item.sk as string;
    if (!sk.startsWith('P#')) continue;
    (feedKeys.isStats(sk) ? stats : bodies).set(feedKeys.postIdOf(sk), item);
  }
  return [...bodies.entries()]
    .filter(([id]) => stats.has(id))
    .sort(([a], [b]) => b - a)
    .map(([id, body]) => ({ post: postOf(body), stats: statsOf(stats.get(id)) }));
}

/** Creates the post's body and counters and counts it in the feed, all or nothing. */
export async function insertPost(post: PostRecord): Promise<void> {
  await db.send(
    new TransactWriteCommand({
      TransactItems: [
        { Put: { TableName: TABLE, Item: bodyItem(post), ConditionExpression: 'attribute_not_exists(pk)' } },
        {
          Put: {
            TableName: TABLE,
            Item: { ...feedKeys.postStats(post.id), views: 0, comment_count: 0, top_comment_count: 0 },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          Update: {
            TableName: TABLE,
            Key: feedKeys.count(),
            UpdateExpression: 'ADD #n :one',
            ExpressionAttributeNames: { '#n': 'n' },
            ExpressionAttributeValues: { ':one': 1 },
          },
        },
      ],
    }),
  );
}

/** A post with its counters: one Query over its two adjacent items. */
export async function findPost(postId: number, consistent = false): Promise<StoredPost | undefined> {
  const result = await db.send(
    new QueryCommand({
      TableName: TABLE,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :body AND :stats',
      ExpressionAttributeValues: {
        ':pk': feedKeys.partition,
        ':body': feedKeys.post(postId).sk,
        ':stats': feedKeys.postStats(postId).sk,
      },
      ConsistentRead: consistent,
    }),
  );
  return assemble(result.Items ?? [])[0];
}

/** A post's counters alone (one small GetItem); undefined when the post does not exist. */
export async function findPostStats(postId: number): Promise<PostStats | undefined> {
  const result = await db.send(new GetCommand({ TableName: TABLE, Key: feedKeys.postStats(postId) }));
  return result.Item ? statsOf(result.Item) : undefined;
}

/** Total views of each post that still exists, reading only the small counter items (`consistent`: the latest counts). */
export async function viewTotals(postIds: number[], consistent = false): Promise<Map<number, number>> {
  const items = await batchGet(postIds.map(feedKeys.postStats), ['views'], consistent);
  return new Map(items.map((item) => [feedKeys.postIdOf(item.sk as string), (item.views as number | undefined) ?? 0]));
}

/** Whether a post exists, reading only its key (joining a post's group, reacting, commenting). */
export async function postExists(postId: number, consistent = false): Promise<boolean> {
  const result = await db.send(
    new GetCommand({ TableName: TABLE, Key: feedKeys.post(postId), ProjectionExpression: 'pk', ConsistentRead: consistent }),
  );
  return result.Item !== undefined;
}

export async function postCount(): Promise<number> {
  const result = await db.send(new GetCommand({ TableName: TABLE, Key: feedKeys.count() }));
  return (result.Item?.n as number | undefined) ?? 0;
}

export type FeedAnchor = { direction: 'older'; belowPostId: number } | { direction: 'newer'; abovePostId: number };

export interface FeedPage {
  posts: StoredPost[];
  /** Present when the page was read from the top, where the counter item comes free with the posts. */
  count?: number;
}

/**
 * One page of the feed, newest first, in ONE Query: from the top (page 1, which also returns the
 * post counter item that sorts above every post), or continuing older/newer than a post of the
 * page before (the cursor in `next`/`previous` links).
 */
export async function feedPage(size: number, anchor?: FeedAnchor): Promise<FeedPage> {
  const input: Omit<QueryInput, 'Limit'> = { KeyConditionExpression: 'pk = :pk' };
  const values: Record<string, unknown> = { ':pk': feedKeys.partition };
  let limit: number;
  if (!anchor) {
    input.ScanIndexForward = false;
    limit = 2 * size + 1;
  } else if (anchor.direction === 'older') {
    if (anchor.belowPostId <= 1) return { posts: [] };
    input.KeyConditionExpression += ' AND sk BETWEEN :from AND :to';
    values[':from'] = feedKeys.lowest;
    values[':to'] = feedKeys.postStats(anchor.belowPostId - 1).sk;
    input.ScanIndexForward = false;
    limit = 2 * size;
  } else {
    input.KeyConditionExpression += ' AND sk BETWEEN :from AND :to';
    values[':from'] = feedKeys.post(anchor.abovePostId + 1).sk;
    values[':to'] = feedKeys.highest;
    input.ScanIndexForward = true;
    limit = 2 * size;
  }
  input.ExpressionAttributeValues = values;
  // DynamoDB stops a Query at 1 MB: a page of long posts may need a second call to be complete
  // (a short page would also end the `next` links early).
  const items = await queryUpTo(input, limit);
  const counter = items.find((item) => item.sk === feedKeys.count().sk);
  return {
    posts: assemble(items).slice(0, size),
    count: anchor ? undefined : ((counter?.n as number | undefined) ?? 0),
  };
}

/**
 * The id of the `skip`-th newest post, reading keys only: how a bare `?page=N` (no cursor) finds
 * where its page starts. Undefined when the feed has fewer posts.
 */
export async function nthNewestPostId(skip: number): Promise<number | undefined> {
  // Two items (body and counters) per post.
  const sk = await nthSortKeyFromTop(feedKeys.partition, { from: feedKeys.lowest, to: feedKeys.highest }, skip * 2);
  return sk === undefined ? undefined : feedKeys.postIdOf(sk);
}

export interface PostChanges {
  title?: string;
  content?: string;
  mediaKey?: string | null;
  mediaType?: MediaType | null;
}

/** Applies changes to a post's body if it still exists; the new record, or undefined if it is gone. */
export async function updatePost(postId: number, changes: PostChanges, updatedAt: string): Promise<PostRecord | undefined> {
  const update = setOrRemove({
    updated_at: updatedAt,
    title: changes.title,
    content: changes.content,
    media_key: changes.mediaKey,
    media_type: changes.mediaType,
  });
  try {
    const result = await db.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: feedKeys.post(postId),
        UpdateExpression: update.expression,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: update.names,
        ExpressionAttributeValues: update.values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    return postOf(result.Attributes!);
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

/** Removes the post's body and counters and uncounts it; false if it was already gone. */
export async function removePost(postId: number): Promise<boolean> {
  try {
    await db.send(
      new TransactWriteCommand({
        TransactItems: [
          { Delete: { TableName: TABLE, Key: feedKeys.post(postId), ConditionExpression: 'attribute_exists(pk)' } },
          { Delete: { TableName: TABLE, Key: feedKeys.postStats(postId) } },
          {
            Update: {
              TableName: TABLE,
              Key: feedKeys.count(),
              UpdateExpression: 'ADD #n :minus',
              ExpressionAttributeNames: { '#n': 'n' },
              ExpressionAttributeValues: { ':minus': -1 },
            },
          },
        ],
      }),
    );
    return true;
  } catch (error) {
    if (conditionFailedAt(error, 0)) return false;
    throw error;
  }
}
