/**
 * Every key of the single table is built here and nowhere else. Repositories import these builders;
 * handlers and domain code never see a key, and no key ever reaches a response.
 *
 * Layout (why each item sits where it does is in README "Data model"):
 *   FEED            P#<post>           post body (title, content, author, media)
 *   FEED            P#<post>#S         post counters (views, comment counts, reactions): small, so
 *                                      counter updates cost 1 WCU whatever the post's size; it sorts
 *                                      right beside its body, so a feed page is still one Query
 *   FEED            ~COUNT             number of posts (sorts above every post: page 1 reads it free)
 *   SEQ             POST | COMMENT     integer id sequences
 *   POST#<post>     C#<comment>        top-level comment
 *   POST#<post>     RP#<root>#<reply>  one of the three oldest replies of a thread (list preview)
 *   POST#<post>     R#<root>#<reply>   any later reply
 *   POST#<post>     VH#<yyyymmddhh>    hourly view bucket (TTL); `vh`=<yyyymmddhh> puts it in the
 *                                      ViewsByHour index (pk `vh`, sk `pk`): one hour's buckets of all posts
 *   POST#<post>     VL#<batch>         viewers recorded by one views batch (cleanup index)
 *   POST#<post>     X#<object>#<user>  who reacted to the post or one of its comments (cleanup index)
 *   POST#<post>     TICK               the post's view-counter flushes: when its group's next one is
 *                                      due, the last counts sent to its group and to the feed (TTL)
 *   CMT#<comment>   CMT                where a comment lives (reactions address comments by id only)
 *                                      (<object> in X# is "P" for the post, "C<comment>" for a comment)
 *   USER#<user>     P#<post>           the user's state on a post: viewed_at, reaction
 *   USER#<user>     P#<post>#C#<cmt>   the user's reaction on a comment of that post
 *   USER#<user>     N#<time>#<id>      in-app notification (TTL)
 *   RATE#<user>     <class>#<window>   rate-limit window counter (TTL); class "push" is the
 *                                      per-recipient push-notification throttle
 *   CONN#<conn>     META               WebSocket connection (TTL at API Gateway's 2-hour cap)
 *   CONN#<conn>     G#<group>          a group the connection joined (for $disconnect cleanup)
 *   GROUP#<group>   <conn>             group membership (what fan-out queries)
 *   TICK#feed       DUE                when the feed group's next view-counter flush is due (TTL)
 *   TICK#feed#<n>   CHANGED            one of FEED_CHANGE_SHARDS sets of posts whose count the feed has
 *                                      not been told yet (sharded: every views batch adds to one)
 *   TRENDING        SNAPSHOT#<hour>    the trending list for the 24 hours ending with <hour> (yyyymmddhh):
 *                                      ids + views, refreshed at most once a minute (TTL)
 *   HIST#<group>    POSITION           the group's last event offset and its history epoch
 *   HIST#<group>#<offset>  EVENT       the event delivered at that offset (TTL): a partition per event,
 *                                      so history writes and recovery reads spread over the whole table
 *   STAMP#<message> STAMP              the offsets an event was given, so a retried fan-out job gives
 *                                      none twice (TTL)
 */
import { VIEWS_BY_HOUR_INDEX } from './table-schema.ts';

export interface Key {
  pk: string;
  sk: string;
}

const ID_WIDTH = 12;

/** Zero-padded so string order is numeric order. */
export function padId(id: number): string {
  return String(id).padStart(ID_WIDTH, '0');
}

export function parsePaddedId(text: string): number {
  return Number.parseInt(text, 10);
}

const FEED = 'FEED';
const SEQUENCES = 'SEQ';
const TRENDING = 'TRENDING';
const POST_PREFIX = 'POST#';
const COMMENT_PREFIX = 'CMT#';
const USER_PREFIX = 'USER#';
const RATE_PREFIX = 'RATE#';
const CONNECTION_PREFIX = 'CONN#';
const GROUP_PREFIX = 'GROUP#';
const COUNTER_PREFIX = 'TICK#';
const HISTORY_PREFIX = 'HIST#';
const STAMP_PREFIX = 'STAMP#';
const DIGEST_PREFIX = 'DIGEST#';

export const feedKeys = {
  partition: FEED,
  post: (postId: number): Key => ({ pk: FEED, sk: `P#${padId(postId)}` }),
  postStats: (postId: number): Key => ({ pk: FEED, sk: `P#${padId(postId)}#S` }),
  count: (): Key => ({ pk: FEED, sk: '~COUNT' }),
  /** Lowest and highest sort keys any post item can have. */
  lowest: 'P#',
  highest: 'P#~',
  isStats: (sk: string): boolean => sk.endsWith('#S'),
  postIdOf: (sk: string): number => parsePaddedId(sk.slice(2, 2 + ID_WIDTH)),
};

export const sequenceKeys = {
  post: (): Key => ({ pk: SEQUENCES, sk: 'POST' }),
  comment: (): Key => ({ pk: SEQUENCES, sk: 'COMMENT' }),
};

const postPk = (postId: number) => `${POST_PREFIX}${padId(postId)}`;

export const commentKeys = {
  partition: postPk,
  topLevel: (postId: number, commentId: number): Key => ({ pk: postPk(postId), sk: `C#${padId(commentId)}` }),
  previewReply: (postId: number, rootId: number, replyId: number): Key => ({
    pk: postPk(postId),
    sk: `RP#${padId(rootId)}#${padId(replyId)}`,
  }),
  laterReply: (postId: number, rootId: number, replyId: number): Key => ({
    pk: postPk(postId),
    sk: `R#${padId(rootId)}#${padId(replyId)}`,
  }),
  topLevelPrefix: 'C#',
  previewPrefix: 'RP#',
  previewRange: (lowestRootId: number, highestRootId: number) => ({
    from: `RP#${padId(lowestRootId)}#`,
    to: `RP#${padId(highestRootId)}#~`,
  }),
  laterRepliesOf: (rootId: number) => `R#${padId(rootId)}#`,
  previewRepliesOf: (rootId: number) => `RP#${padId(rootId)}#`,
  lookup: (commentId: number): Key => ({ pk: `${COMMENT_PREFIX}${padId(commentId)}`, sk: 'CMT' }),
  /** Sort-key range of the top-level comments with ids in [lowest, highest] (open ends: all). */
  topLevelRange: (lowestId?: number, highestId?: number) => ({
    from: lowestId === undefined ? 'C#' : `C#${padId(lowestId)}`,
    to: highestId === undefined ? 'C#~' : `C#${padId(highestId)}`,
  }),
  topLevelIdOf: (sk: string): number => parsePaddedId(sk.slice(2)),
};

/** The `<object>` part of reactor-index keys: the post itself, or one of its comments. */
export const reactionObjectTags = {
  post: 'P',
  comment: (commentId: number) => `C${padId(commentId)}`,
};

export const postPartitionKeys = {
  partition: postPk,
  hourBucket: (postId: number, hour: string): Key => ({ pk: postPk(postId), sk: `VH#${hour}` }),
  hourBucketPrefix: 'VH#',
  /** The attribute (and its value) that lists a bucket under its hour in the ViewsByHour index. */
  hourBucketIndexKey: (hour: string) => ({ attribute: VIEWS_BY_HOUR_INDEX.partitionKey, value: hour }),
  /** The post a `POST#<id>` partition key (e.g. read back from the ViewsByHour index) belongs to. */
  postIdOf: (pk: string): number => parsePaddedId(pk.slice(POST_PREFIX.length)),
  viewerLog: (postId: number, batchId: string): Key => ({ pk: postPk(postId), sk: `VL#${batchId}` }),
  viewerLogPrefix: 'VL#',
  reactorIndex: (postId: number, objectTag: string, userId: string): Key => ({
    pk: postPk(postId),
    sk: `X#${objectTag}#${userId}`,
  }),
  reactorIndexPrefix: (objectTag?: string) => (objectTag ? `X#${objectTag}#` : 'X#'),
};

const userPk = (userId: string) => `${USER_PREFIX}${userId}`;

export const userStateKeys = {
  partition: userPk,
  post: (userId: string, postId: number): Key => ({ pk: userPk(userId), sk: `P#${padId(postId)}` }),
  comment: (userId: string, postId: number, commentId: number): Key => ({
    pk: userPk(userId),
    sk: `P#${padId(postId)}#C#${padId(commentId)}`,
  }),
  /** Sort-key range holding the user's state on every post in [lowest, highest] and their comments. */
  postRange: (lowestPostId: number, highestPostId: number) => ({
    from: `P#${padId(lowestPostId)}`,
    to: `P#${padId(highestPostId)}#~`,
  }),
  postPrefix: (postId: number) => `P#${padId(postId)}`,
  parse: (sk: string): { postId: number; commentId: number | null } => {
    const [, post, , comment] = sk.split('#');
    return { postId: parsePaddedId(post ?? ''), commentId: comment === undefined ? null : parsePaddedId(comment) };
  },
  notification: (userId: string, at: string, id: string): Key => ({ pk: userPk(userId), sk: `N#${at}#${id}` }),
  notificationPrefix: 'N#',
};

export const rateKeys = {
  window: (userId: string, rateClass: string, windowStart: number): Key => ({
    pk: `${RATE_PREFIX}${userId}`,
    sk: `${rateClass}#${windowStart}`,
  }),
};

const connPk = (connectionId: string) => `${CONNECTION_PREFIX}${connectionId}`;
const groupPk = (group: string) => `${GROUP_PREFIX}${group}`;

export const connectionKeys = {
  meta: (connectionId: string): Key => ({ pk: connPk(connectionId), sk: 'META' }),
  partition: connPk,
  joined: (connectionId: string, group: string): Key => ({ pk: connPk(connectionId), sk: `G#${group}` }),
  joinedPrefix: 'G#',
  groupOf: (joinedSk: string) => joinedSk.slice(2),
  membership: (group: string, connectionId: string): Key => ({ pk: groupPk(group), sk: connectionId }),
  groupPartition: groupPk,
};

/** Shards of the feed's changed-posts set: a views batch writes to one, so no item takes every batch. */
export const FEED_CHANGE_SHARDS = 8;

export const counterKeys = {
  post: (postId: number): Key => ({ pk: postPk(postId), sk: 'TICK' }),
  feedFlush: (): Key => ({ pk: `${COUNTER_PREFIX}feed`, sk: 'DUE' }),
  feedChanged: (shard: number): Key => ({ pk: `${COUNTER_PREFIX}feed#${shard}`, sk: 'CHANGED' }),
};

export const historyKeys = {
  position: (group: string): Key => ({ pk: `${HISTORY_PREFIX}${group}`, sk: 'POSITION' }),
  event: (group: string, offset: number): Key => ({ pk: `${HISTORY_PREFIX}${group}#${padId(offset)}`, sk: 'EVENT' }),
  stamp: (messageId: string): Key => ({ pk: `${STAMP_PREFIX}${messageId}`, sk: 'STAMP' }),
};

/** Protocol 2's batched frames: one state item per group (what its digests sent up to, when the next is due). */
export const digestKeys = {
  state: (group: string): Key => ({ pk: `${DIGEST_PREFIX}${group}`, sk: 'STATE' }),
};

export const trendingKeys = {
  snapshot: (hour: string): Key => ({ pk: TRENDING, sk: `SNAPSHOT#${hour}` }),
};

/**
 * Every partition key above belongs to one of these families: one fixed key, or every key with a
 * prefix. A function's table grant names the families it touches (lambdas/manifest.ts), and IAM
 * holds it to them (`dynamodb:LeadingKeys`, lib/data.ts).
 */
export const partitionFamilies = {
  feed: { key: FEED },
  sequences: { key: SEQUENCES },
  trending: { key: TRENDING },
  post: { prefix: POST_PREFIX },
  comment: { prefix: COMMENT_PREFIX },
  user: { prefix: USER_PREFIX },
  rate: { prefix: RATE_PREFIX },
  connection: { prefix: CONNECTION_PREFIX },
  group: { prefix: GROUP_PREFIX },
  counter: { prefix: COUNTER_PREFIX },
  history: { prefix: HISTORY_PREFIX },
  stamp: { prefix: STAMP_PREFIX },
  digest: { prefix: DIGEST_PREFIX },
} as const satisfies Record<string, { key: string } | { prefix: string }>;

export type Partition = keyof typeof partitionFamilies;
