import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { REACTION_ATTRIBUTES, REACTION_TYPES, type ReactionType } from '../../lambdas/core/reactions.ts';
import type { TwinInfo } from './global-setup.ts';

/**
 * Recounts every stored counter from the items that cause it, straight from the table (a Scan: tests
 * only), and lists every counter that disagrees. This is what "nothing lost, nothing counted twice"
 * means after races, duplicate deliveries, faults and restarts: the counters the API serves equal a
 * recount of the items, for every post.
 */
export type Item = Record<string, any>;

/** A DocumentClient on a twin's DynamoDB (the test's own, not the handlers' module-scope one). */
export function tableClient(info: Pick<TwinInfo, 'endpoints' | 'region'>): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({ region: info.region, endpoint: info.endpoints.dynamodb, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  );
}

export async function scanTable(client: DynamoDBDocumentClient, table: string): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Item | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: startKey, ConsistentRead: true }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

export interface PostRecount {
  id: number;
  /** What the post's counter item says. */
  stored: { views: number; comment_count: number; top_comment_count: number; reactions: Record<ReactionType, number> };
  /** What the items say. */
  recount: { views: number; hourly_views: number; comment_count: number; top_comment_count: number; reactions: Record<ReactionType, number> };
}

export interface CommentRecount {
  id: number;
  postId: number;
  /** The thread's top-level comment (null for a top-level comment itself). */
  rootId: number | null;
  placement: 'top' | 'preview' | 'later';
  stored: Record<ReactionType, number>;
  recount: Record<ReactionType, number>;
}

export interface Audit {
  /** The feed's post counter (`count` of the posts list). */
  feedCount: number;
  posts: Map<number, PostRecount>;
  comments: Map<number, CommentRecount>;
  /** Every disagreement, in words; empty when the table is consistent. */
  problems: string[];
  /** Items of posts that no longer exist (the cleanup worker's job), by key. */
  leftovers: string[];
  items: Item[];
}

const padded = (sk: string, at: number) => Number.parseInt(sk.slice(at, at + 12), 10);
const zeroReactions = (): Record<ReactionType, number> => Object.fromEntries(REACTION_TYPES.map((t) => [t, 0])) as Record<ReactionType, number>;
const storedReactions = (item: Item | undefined) =>
  Object.fromEntries(REACTION_TYPES.map((t) => [t, Number(item?.[REACTION_ATTRIBUTES[t]] ?? 0)])) as Record<ReactionType, number>;
const isCommentSk = (sk: string) => sk.startsWith('C#') || sk.startsWith('RP#') || sk.startsWith('R#');

/** The comment id of a comment item's sort key (`C#<id>`, `RP#<root>#<id>`, `R#<root>#<id>`). */
function commentIdOf(sk: string): number {
  const parts = sk.split('#');
  return Number.parseInt(parts[parts.length - 1]!, 10);
}

export function audit(items: Item[]): Audit {
  const problems: string[] = [];
  const bodies = new Map<number, Item>();
  const stats = new Map<number, Item>();
  let feedCount = 0;
  for (const item of items) {
    if (item.pk !== 'FEED') continue;
    if (item.sk === '~COUNT') feedCount = Number(item.n ?? 0);
    else if (item.sk.endsWith('#S')) stats.set(padded(item.sk, 2), item);
    else bodies.set(padded(item.sk, 2), item);
  }
  if (feedCount !== bodies.size) problems.push(`feed count ${feedCount} != ${bodies.size} posts`);
  for (const id of bodies.keys()) if (!stats.has(id)) problems.push(`post ${id} has no counter item`);
  for (const id of stats.keys()) if (!bodies.has(id)) problems.push(`counter item of missing post ${id}`);

  const posts = new Map<number, PostRecount>();
  for (const [id, body] of bodies) {
    if (body.id !== id) problems.push(`post ${id} body carries id ${body.id}`);
    const s = stats.get(id);
    posts.set(id, {
      id,
      stored: {
        views: Number(s?.views ?? 0),
        comment_count: Number(s?.comment_count ?? 0),
        top_comment_count: Number(s?.top_comment_count ?? 0),
        reactions: storedReactions(s),
      },
      recount: { views: 0, hourly_views: 0, comment_count: 0, top_comment_count: 0, reactions: zeroReactions() },
    });
  }

  const comments = new Map<number, CommentRecount>();
  const leftovers: string[] = [];
  for (const item of items) {
    const pk = item.pk as string;
    const sk = item.sk as string;
    if (pk.startsWith('POST#')) {
      const postId = padded(pk, 5);
      const post = posts.get(postId);
      // A counter flush racing the post's delete may write its tick after the cleanup: TTL takes it.
      if (!post && sk === 'TICK') continue;
      if (!post) {
        leftovers.push(`${pk} ${sk}`);
        continue;
      }
      if (sk.startsWith('VH#')) post.recount.hourly_views += Number(item.n ?? 0);
      if (isCommentSk(sk)) {
        post.recount.comment_count += 1;
        if (sk.startsWith('C#')) post.recount.top_comment_count += 1;
        const commentId = commentIdOf(sk);
        if (item.id !== undefined && item.id !== commentId) problems.push(`comment ${sk} of post ${postId} carries id ${item.id}`);
        if (comments.has(commentId)) problems.push(`comment ${commentId} stored twice`);
        const placement = sk.startsWith('C#') ? 'top' : sk.startsWith('RP#') ? 'preview' : 'later';
        const rootId = placement === 'top' ? null : Number.parseInt(sk.split('#')[1]!, 10);
        comments.set(commentId, { id: commentId, postId, rootId, placement, stored: storedReactions(item), recount: zeroReactions() });
      }
    }
  }
  for (const item of items) {
    const pk = item.pk as string;
    const sk = item.sk as string;
    if (!pk.startsWith('USER#') || !sk.startsWith('P#')) continue;
    const postId = padded(sk, 2);
    const post = posts.get(postId);
    if (!post) {
      leftovers.push(`${pk} ${sk}`);
      continue;
    }
    const commentMatch = /^P#\d{12}#C#(\d{12})$/.exec(sk);
    if (commentMatch) {
      const comment = comments.get(Number.parseInt(commentMatch[1]!, 10));
      if (!comment) leftovers.push(`${pk} ${sk}`);
      else if (item.reaction) comment.recount[item.reaction as ReactionType] += 1;
      continue;
    }
    if (typeof item.viewed_at === 'string') post.recount.views += 1;
    if (item.reaction) post.recount.reactions[item.reaction as ReactionType] += 1;
  }

  for (const post of posts.values()) {
    const { stored, recount } = post;
    if (stored.views !== recount.views) problems.push(`post ${post.id}: views ${stored.views} != ${recount.views} viewers`);
    if (recount.hourly_views !== recount.views) problems.push(`post ${post.id}: hour buckets hold ${recount.hourly_views} views, ${recount.views} viewers`);
    if (stored.comment_count !== recount.comment_count) problems.push(`post ${post.id}: comment_count ${stored.comment_count} != ${recount.comment_count} comments`);
    if (stored.top_comment_count !== recount.top_comment_count) {
      problems.push(`post ${post.id}: top_comment_count ${stored.top_comment_count} != ${recount.top_comment_count}`);
    }
    for (const type of REACTION_TYPES) {
      if (stored.reactions[type] !== recount.reactions[type]) problems.push(`post ${post.id}: ${type} ${stored.reactions[type]} != ${recount.reactions[type]} reactors`);
    }
  }
  for (const comment of comments.values()) {
    for (const type of REACTION_TYPES) {
      if (comment.stored[type] !== comment.recount[type]) {
        problems.push(`comment ${comment.id}: ${type} ${comment.stored[type]} != ${comment.recount[type]} reactors`);
      }
    }
  }
  problems.push(...threadProblems(items, comments), ...indexProblems(items, posts, comments), ...notificationProblems(items));
  return { feedCount, posts, comments, problems, leftovers, items };
}

/**
 * Threads: a root's `reply_count` is its number of replies; the preview (`RP#`) holds exactly the
 * min(3, n) OLDEST replies and the rest are later replies (`R#`); every reply's root exists; every
 * comment's id lookup (`CMT#<id>`) names where it really is.
 */
function threadProblems(items: Item[], comments: Map<number, CommentRecount>): string[] {
  const problems: string[] = [];
  const byRoot = new Map<number, CommentRecount[]>();
  for (const comment of comments.values()) {
    if (comment.rootId === null) continue;
    if (!byRoot.has(comment.rootId)) byRoot.set(comment.rootId, []);
    byRoot.get(comment.rootId)!.push(comment);
  }
  const lookups = new Map(items.filter((item) => item.pk.startsWith('CMT#')).map((item) => [padded(item.pk, 4), item]));
  for (const item of items) {
    if (!item.pk.startsWith('POST#') || !(item.sk.startsWith('C#'))) continue;
    const rootId = commentIdOf(item.sk);
    const replies = (byRoot.get(rootId) ?? []).sort((a, b) => a.id - b.id);
    if (Number(item.reply_count ?? 0) !== replies.length) problems.push(`comment ${rootId}: reply_count ${item.reply_count} != ${replies.length} replies`);
    replies.forEach((reply, index) => {
      const expected = index < 3 ? 'preview' : 'later';
      if (reply.placement !== expected) problems.push(`reply ${reply.id} of ${rootId} is ${reply.placement}, should be ${expected} (reply #${index + 1})`);
    });
  }
  for (const [rootId, replies] of byRoot) {
    const root = comments.get(rootId);
    if (!root || root.placement !== 'top') problems.push(`replies ${replies.map((r) => r.id).join(',')} have no root ${rootId}`);
  }
  for (const comment of comments.values()) {
    const lookup = lookups.get(comment.id);
    if (!lookup) problems.push(`comment ${comment.id} has no id lookup`);
    else if (lookup.post_id !== comment.postId || lookup.placement !== comment.placement || (lookup.root_id ?? null) !== comment.rootId) {
      problems.push(`comment ${comment.id} lookup says ${JSON.stringify({ post: lookup.post_id, placement: lookup.placement, root: lookup.root_id })}`);
    }
  }
  for (const [id] of lookups) if (!comments.has(id)) problems.push(`lookup CMT#${id} names no comment`);
  return problems;
}

/**
 * The cleanup indexes: every user with a view marker on a post is named by one of its viewer logs
 * (`VL#`), every user with a reaction on a post or comment has its reactor-index item (`X#`), or a
 * deleted post's cleanup could not find their state.
 */
function indexProblems(items: Item[], posts: Map<number, PostRecount>, comments: Map<number, CommentRecount>): string[] {
  const problems: string[] = [];
  const logged = new Set<string>();
  const indexed = new Set<string>();
  for (const item of items) {
    if (!item.pk.startsWith('POST#')) continue;
    const postId = padded(item.pk, 5);
    if (item.sk.startsWith('VL#')) for (const user of item.user_ids ?? []) logged.add(`${postId} ${user}`);
    if (item.sk.startsWith('X#')) indexed.add(`${postId} ${item.sk.slice(2)}`);
  }
  for (const item of items) {
    if (!item.pk.startsWith('USER#') || !item.sk.startsWith('P#')) continue;
    const userId = item.pk.slice('USER#'.length);
    const postId = padded(item.sk, 2);
    if (!posts.has(postId)) continue;
    const commentMatch = /^P#\d{12}#C#(\d{12})$/.exec(item.sk);
    if (commentMatch) {
      const commentId = Number.parseInt(commentMatch[1]!, 10);
      if (item.reaction && comments.has(commentId) && !indexed.has(`${postId} C${commentMatch[1]}#${userId}`)) problems.push(`reaction of ${userId} on comment ${commentId} is not indexed`);
      continue;
    }
    if (item.viewed_at && !logged.has(`${postId} ${userId}`)) problems.push(`view of ${userId} on post ${postId} is in no viewer log`);
    if (item.reaction && !indexed.has(`${postId} P#${userId}`)) problems.push(`reaction of ${userId} on post ${postId} is not indexed`);
  }
  return problems;
}

/** In-app notifications exist once each, whatever the deliveries of their message. */
function notificationProblems(items: Item[]): string[] {
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const item of items) {
    if (!item.pk.startsWith('USER#') || !item.sk.startsWith('N#')) continue;
    const key = `${item.pk} ${item.id}`;
    if (seen.has(key)) problems.push(`notification ${item.id} stored twice for ${item.pk}`);
    seen.add(key);
  }
  return problems;
}

/** Scans and audits in one go. */
export async function auditTable(client: DynamoDBDocumentClient, table: string): Promise<Audit> {
  return audit(await scanTable(client, table));
}
