import { db } from '../lambdas/core/db.ts';
import { connectionKeys, feedKeys, postPartitionKeys, trendingKeys, userStateKeys, type Key } from '../lambdas/core/keys.ts';
import { hourOf } from '../lambdas/core/view-time.ts';
import { refreshTrendingIfStale } from '../lambdas/domain/trending-snapshot.ts';
import { groups } from '../lambdas/core/groups.ts';
import { sqs } from '../lambdas/core/sqs.ts';
import type { HttpMethod } from '../lambdas/manifest.ts';
import { readUnitsFor, writeUnitsFor } from './support/item-size.ts';
import { hasRoute, invokeConsumer, invokeHttp, invokeOk, invokeWsConnect, invokeWsMessage, newConnectionId, type HttpCall } from './support/invoke.ts';
import { commentItemKey } from './support/comment-keys.ts';
import { deleteItem, storedSizes } from './support/items.ts';
import { installRecorder, isRateLimit, recordCalls, stagesOf, type DbCall } from './support/recorder.ts';
import { countMessages, installSqsRecorder } from './support/sqs-recorder.ts';
import { ratio, sum, units } from './support/stats.ts';
import type { Table } from './support/table.ts';
import type { BenchTwin, BenchUser } from './support/twin.ts';
import { contentOfLength, textOfLength } from './support/text.ts';

/**
 * DynamoDB capacity per operation, each against its floor.
 *
 * How: the real handler modules run in this process (fake API Gateway / SQS events, the twin's
 * handler configuration, rate limits ON as in production), and every DynamoDB call they make is
 * recorded with ReturnConsumedCapacity (support/recorder.ts, which also corrects DynamoDB Local's
 * transaction figures to what AWS bills). The rate limit's write is split out into its own column.
 *
 * The floor of an operation is what DynamoDB would bill for the bytes it cannot avoid: the stored
 * items the response shows (read once, eventually consistent, all in ONE request: 0.5 unit per
 * started 4 KB of their total) and the items it must persist (standard writes: 1 unit per started
 * KB each). Each floor names its items below; ratios are measured / floor.
 */
export interface CapacityRow {
  operation: string;
  shape: string;
  readUnits: number;
  writeUnits: number;
  /** The rate limit's write, when the route counts requests. */
  rateLimitUnits: number;
  floorRead: number;
  floorWrite: number;
  floorNote: string;
  calls: number;
  stages: number;
  commands: string[];
  /** Messages enqueued, per queue. */
  messages: Record<string, number>;
  /** DynamoDB Local's own figures, before the recorder's corrections. */
  reported: { read: number; write: number };
  /** Amortisation: units are per this many (views); 1 otherwise. */
  per: number;
  target?: { text: string; met: boolean };
  note?: string;
}

export interface MissingOperation {
  operation: string;
  reason: string;
}

export interface CapacityResult {
  rows: CapacityRow[];
  missing: MissingOperation[];
  /** Recorded DynamoDB calls of representative requests, replayed by the load phase. */
  fixture: Fixture;
}

export interface Fixture {
  authors: BenchUser[];
  postIds: number[];
  /** Users who have viewed (and, when reactions exist, reacted to) the newest page of posts. */
  viewedReader: BenchUser;
  commentedPostId?: number;
}

const POSTS = 45;
const FEED_PAGE = 20;

interface Measured {
  calls: DbCall[];
  messages: Record<string, number>;
  result: any;
}

async function measure<T>(work: () => Promise<T>): Promise<Measured & { result: T }> {
  const { result, messages } = await countMessages(() => recordCalls(work));
  return { calls: result.calls, messages, result: result.result };
}

function row(
  operation: string,
  shape: string,
  measured: Measured,
  floor: { read: number; write: number; note: string },
  options: { per?: number; note?: string } = {},
): CapacityRow {
  const per = options.per ?? 1;
  const business = measured.calls.filter((call) => !isRateLimit(call));
  const limit = measured.calls.filter(isRateLimit);
  return {
    operation,
    shape,
    readUnits: sum(business.map((call) => call.readUnits)) / per,
    writeUnits: sum(business.map((call) => call.writeUnits)) / per,
    rateLimitUnits: sum(limit.map((call) => call.writeUnits)),
    floorRead: floor.read / per,
    floorWrite: floor.write / per,
    floorNote: floor.note,
    calls: business.length,
    stages: stagesOf(business),
    commands: business.map(
      (call) =>
        `${call.command}${call.failed ? `!${call.failed}` : ''}(${call.partitions.join('+')})` +
        `${call.readUnits ? ` ${call.readUnits}R` : ''}${call.writeUnits ? ` ${call.writeUnits}W` : ''}`,
    ),
    messages: measured.messages,
    reported: {
      read: sum(measured.calls.map((call) => call.reportedReadUnits)) / per,
      write: sum(measured.calls.map((call) => call.reportedWriteUnits)) / per,
    },
    per,
    note: options.note,
  };
}

/** The floor of a read: the listed items' bytes in one eventually consistent request. */
async function readFloor(keys: Key[], what: string): Promise<{ read: number; write: number; note: string }> {
  const bytes = sum(await storedSizes(keys));
  return { read: readUnitsFor(bytes), write: 0, note: `${what}: ${bytes} B in one read` };
}

function postKeys(ids: number[]): Key[] {
  return ids.flatMap((id) => [feedKeys.post(id), feedKeys.postStats(id)]);
}

const has = hasRoute;

/** Deterministic post sizes: titles of 20–60 characters, contents of 100–900 (mean ≈ 500). */
function postFields(index: number) {
  const spread = (index * 7919) % 101;
  return { title: textOfLength(20 + (spread % 41), index), content: contentOfLength(100 + spread * 8, index) };
}

export async function measureCapacity(twin: BenchTwin, log: (line: string) => void): Promise<CapacityResult> {
  installRecorder(db);
  installSqsRecorder(sqs);
  const rows: CapacityRow[] = [];
  const missing: MissingOperation[] = [];
  const reactions = has('POST', '/api/ventroom/reactions');
  const comments = has('POST', '/api/ventroom/posts/{post_id}/comments/');

  // Fixture: posts by three authors (the create class allows 20 per user and minute).
  log(`capacity: creating ${POSTS} posts`);
  const authors = [await twin.newUser('Author A'), await twin.newUser('Author B'), await twin.newUser('Author C')];
  const postIds: number[] = [];
  let createPost: Measured | undefined;
  for (let index = 0; index < POSTS; index++) {
    const call: HttpCall = { method: 'POST', path: '/api/ventroom/posts/', user: authors[index % authors.length]!, json: postFields(index) };
    if (index === POSTS - 1) {
      // A post of the mean size: the one whose creation is reported.
      call.json = { title: textOfLength(40, index), content: contentOfLength(500, index) };
      createPost = await measure(() => invokeOk(call));
      postIds.push(createPost.result.id);
    } else {
      postIds.push((await invokeOk(call)).id);
    }
  }
  {
    const id = createPost!.result.id as number;
    const [body] = await storedSizes([feedKeys.post(id)]);
    rows.push(
      row('create post', 'title 40 + content 500 chars, JSON', createPost!, {
        read: 0,
        write: writeUnitsFor(body!) + 2,
        note: `the post item (${body} B) + its id from the sequence (1) + the feed's post count (1)`,
      }),
    );
  }
  await twin.drain();

  // Feed page, fresh reader.
  const fresh = await twin.newUser('Fresh reader');
  const freshFeed = await measure(() => invokeOk({ method: 'GET', path: '/api/ventroom/posts/', user: fresh }));
  const pageIds = (freshFeed.result.results as { id: number }[]).map((post) => post.id);
  {
    const floor = await readFloor([...postKeys(pageIds), feedKeys.count()], `${pageIds.length} posts + counters + count`);
    const feedRow = row('feed page of 20', 'fresh reader (no state yet)', freshFeed, floor);
    rows.push(withFeedTarget(feedRow));
  }

  // The same reader after the views worker counted those views (and after reacting to every post).
  const viewedReader = fresh;
  await twin.drain();
  if (reactions) {
    for (const [index, id] of pageIds.entries()) {
      await invokeOk({ method: 'POST', path: '/api/ventroom/reactions/', user: viewedReader, json: { content_type: 'ventpost', object_id: id, reaction_type: ['👍', '❤️', '😂', '😢'][index % 4] } });
    }
    await twin.drain();
  } else {
    missing.push({ operation: 'feed page of 20, reader who reacted to all', reason: 'no reactions route yet (measured with views only)' });
  }
  const seenFeed = await measure(() => invokeOk({ method: 'GET', path: '/api/ventroom/posts/', user: viewedReader }));
  {
    const ids = (seenFeed.result.results as { id: number }[]).map((post) => post.id);
    const floor = await readFloor(
      [...postKeys(ids), feedKeys.count(), ...ids.map((id) => userStateKeys.post(viewedReader.id, id))],
      `${ids.length} posts + counters + count + the reader's ${ids.length} state items`,
    );
    rows.push(withFeedTarget(row('feed page of 20', reactions ? 'reader who viewed and reacted to all 20' : 'reader who viewed all 20', seenFeed, floor)));
    const next = seenFeed.result.next as string | null;
    if (next) {
      const url = new URL(next);
      const page2 = await measure(() => invokeOk({ method: 'GET', path: `${url.pathname}${url.search}`, user: viewedReader }));
      const ids2 = (page2.result.results as { id: number }[]).map((post) => post.id);
      const floor2 = await readFloor(
        [...postKeys(ids2), feedKeys.count(), ...ids2.map((id) => userStateKeys.post(viewedReader.id, id))],
        `${ids2.length} posts + counters + count + the reader's state items`,
      );
      rows.push(row('feed page 2 (cursor link)', 'same reader, page 2 not viewed yet', page2, floor2));
    }
  }

  // Post detail: first view, then the duplicate view (already viewed: nothing may be written or enqueued).
  {
    const id = pageIds[0]!;
    const reader = await twin.newUser('Detail reader');
    const first = await measure(() => invokeOk({ method: 'GET', path: `/api/ventroom/posts/${id}/`, user: reader }));
    rows.push(row('post detail', 'first view by this reader', first, await readFloor(postKeys([id]), 'the post + its counters')));
    const again = await measure(() => invokeOk({ method: 'GET', path: `/api/ventroom/posts/${id}/`, user: viewedReader }));
    const dup = row(
      'duplicate view (read path)',
      'post detail by a reader who already viewed it',
      again,
      await readFloor([...postKeys([id]), userStateKeys.post(viewedReader.id, id)], 'the post + counters + the reader\'s state'),
    );
    dup.target = { text: '0 WCU, nothing enqueued', met: dup.writeUnits === 0 && !dup.messages.views };
    rows.push(dup);
  }

  // Reaction change (👍 -> ❤️ on a post the user already reacted to).
  if (reactions) {
    const user = await twin.newUser('Reactor');
    const id = pageIds[1]!;
    await invokeOk({ method: 'POST', path: '/api/ventroom/reactions/', user, json: { content_type: 'ventpost', object_id: id, reaction_type: '👍' } });
    const change = await measure(() =>
      invokeOk({ method: 'POST', path: '/api/ventroom/reactions/', user, json: { content_type: 'ventpost', object_id: id, reaction_type: '❤️' } }),
    );
    const [state] = await storedSizes([userStateKeys.post(user.id, id)]);
    rows.push(row('reaction change', '👍 -> ❤️ on a post', change, { read: 0, write: writeUnitsFor(state!) + 1, note: `the user's reaction (${state} B) + the post's counters (1)` }));
  } else {
    missing.push({ operation: 'reaction change', reason: 'no POST /api/ventroom/reactions/ route yet' });
  }

  // Comments: create, with_comments, comments page.
  let commentedPostId: number | undefined;
  if (comments) {
    commentedPostId = await measureComments(twin, rows, authors, pageIds[2]!, viewedReader);
  } else {
    missing.push({ operation: 'create comment', reason: 'no comments routes yet' });
  }
  for (const [operation, method, path] of [
    ['with_comments', 'GET', '/api/ventroom/posts/{post_id}/with_comments/'],
    ['comments page', 'GET', '/api/ventroom/posts/{post_id}/comments/'],
  ] as const) {
    if (!has(method, path)) missing.push({ operation, reason: `no ${method} ${path} route yet` });
  }

  // Trending: the snapshot refresh (at most once per TRENDING_REFRESH_SECONDS, by a views batch or a
  // reader), then a read of the fresh snapshot (what nearly every request does), then view stats.
  await twin.drain();
  if (has('GET', '/api/ventroom/posts/trending/')) {
    const hour = hourOf(new Date());
    await deleteItem(trendingKeys.snapshot(hour));
    const refresh = await measure(() => refreshTrendingIfStale(new Date()));
    const refreshed = await storedSizes([trendingKeys.snapshot(hour)]);
    rows.push(
      row('trending snapshot refresh', 'no snapshot for this hour yet (domain call)', refresh, {
        read: 0,
        write: writeUnitsFor(refreshed[0]!),
        note: 'writing the snapshot; its reads (the hour buckets of a day) have no lower bound to compare with',
      }, { note: 'at most once per TRENDING_REFRESH_SECONDS (60), by a views batch or a reader' }),
    );
    const measured = await measure(() => invokeOk({ method: 'GET', path: '/api/ventroom/posts/trending/', user: viewedReader }));
    rows.push(row('trending', 'fresh snapshot, reader who viewed the newest 20', measured, await floorOfResponse('trending', measured.result, viewedReader)));
  } else {
    missing.push({ operation: 'trending', reason: 'no GET /api/ventroom/posts/trending/ route yet' });
  }
  if (has('GET', '/api/ventroom/posts/{post_id}/view_stats/')) {
    const measured = await measure(() => invokeOk({ method: 'GET', path: `/api/ventroom/posts/${pageIds[0]}/view_stats/`, user: viewedReader }));
    rows.push(row('view_stats', 'a post viewed in the last hour', measured, await floorOfResponse('view_stats', measured.result, viewedReader)));
  } else {
    missing.push({ operation: 'view_stats', reason: 'no GET /api/ventroom/posts/{post_id}/view_stats/ route yet' });
  }

  // Counted views: the views worker on one batch, two shapes of 100 views (trending snapshot fresh).
  await twin.drain();
  rows.push(...(await measureViews(twin, postIds)));

  // WebSocket: $connect and joining a post's group (in-process, fake connection ids).
  {
    const user = await twin.newUser('Socket user');
    const connectionId = newConnectionId();
    const connect = await measure(() => invokeWsConnect(connectionId, user));
    const sizes = await storedSizes([connectionKeys.meta(connectionId), connectionKeys.joined(connectionId, groups.user(user.id)), connectionKeys.membership(groups.user(user.id), connectionId)]);
    rows.push(
      row('WebSocket $connect', 'token in the query string', connect, {
        read: 0,
        write: writeUnitsFor(sizes[0]!) + writeUnitsFor(sizes[2]!),
        note: 'the connection (user id) + its membership in user_<id>',
      }),
    );
    const postId = pageIds[0]!;
    const join = await measure(() => invokeWsMessage(connectionId, { type: 'join_ventroom_post', data: { post_id: postId } }));
    const [meta, post, membership] = await storedSizes([connectionKeys.meta(connectionId), feedKeys.post(postId), connectionKeys.membership(groups.post(postId), connectionId)]);
    rows.push(
      row('WebSocket join', 'join_ventroom_post', join, {
        read: readUnitsFor(meta! + post!),
        write: writeUnitsFor(membership!),
        note: 'read the connection and the post; write the membership',
      }),
    );
  }

  return { rows, missing, fixture: { authors, postIds, viewedReader, commentedPostId } };
}

function withFeedTarget(feed: CapacityRow): CapacityRow {
  const readRatio = feed.readUnits / feed.floorRead;
  feed.target = {
    text: '≤1.25x floor, ≤3 calls, 0 WCU',
    met: readRatio <= 1.25 && feed.calls <= 3 && feed.writeUnits === 0,
  };
  return feed;
}

/** Floors of operations whose items come from routes added by other branches, from their responses. */
async function floorOfResponse(operation: string, body: any, reader: BenchUser): Promise<{ read: number; write: number; note: string }> {
  if (operation === 'trending') {
    const ids = ((body?.results ?? []) as { id: number }[]).map((post) => post.id);
    return readFloor([...postKeys(ids), ...ids.map((id) => userStateKeys.post(reader.id, id))], `${ids.length} posts + counters + the reader's state items`);
  }
  // view_stats: the post's counters and its hourly buckets of the last 7 days that exist.
  const postId = Number(body?.post_id);
  const hours: Key[] = [];
  const now = Date.now();
  for (let hour = 0; hour < 7 * 24; hour++) hours.push(postPartitionKeys.hourBucket(postId, new Date(now - hour * 3600_000).toISOString().slice(0, 13).replace(/[-T]/g, '')));
  return readFloor([feedKeys.postStats(postId), userStateKeys.post(reader.id, postId), ...hours], "the post's counters + its hourly buckets of the last 7 days + the reader's state");
}

async function measureComments(twin: BenchTwin, rows: CapacityRow[], authors: BenchUser[], postId: number, reader: BenchUser): Promise<number> {
  const commenters = [await twin.newUser('Commenter A'), await twin.newUser('Commenter B'), await twin.newUser('Commenter C')];
  const path = `/api/ventroom/posts/${postId}/comments/`;
  const created: number[] = [];
  // 25 top-level comments; the five newest get four replies each (three in the preview, one later).
  for (let index = 0; index < 25; index++) {
    created.push((await invokeOk({ method: 'POST', path, user: commenters[index % 3]!, json: { text: contentOfLength(80 + ((index * 37) % 220), index) } })).id);
  }
  for (const parent of created.slice(-5)) {
    for (let reply = 0; reply < 4; reply++) {
      await invokeOk({ method: 'POST', path, user: commenters[(reply + 1) % 3]!, json: { text: contentOfLength(120, reply), parent } });
    }
  }
  const create = await measure(() => invokeOk({ method: 'POST', path, user: authors[0]!, json: { text: contentOfLength(200, 7) } }));
  rows.push(row('create comment', 'top-level, 200 chars, JSON', create, await commentWriteFloor(postId, create.result)));
  const reply = await measure(() => invokeOk({ method: 'POST', path, user: authors[1]!, json: { text: contentOfLength(200, 8), parent: created[0] } }));
  rows.push(row('create comment', 'reply (into the preview), 200 chars', reply, await commentWriteFloor(postId, reply.result)));
  await twin.drain();

  const withComments = `/api/ventroom/posts/${postId}/with_comments/`;
  if (has('GET', '/api/ventroom/posts/{post_id}/with_comments')) {
    const measured = await measure(() => invokeOk({ method: 'GET', path: withComments, user: reader }));
    rows.push(row('with_comments', 'post + first page of 20 comments with reply previews', measured, await commentsReadFloor(postId, measured.result.comments ?? measured.result, reader, true)));
  }
  if (has('GET', '/api/ventroom/posts/{post_id}/comments')) {
    const measured = await measure(() => invokeOk({ method: 'GET', path, user: reader }));
    rows.push(row('comments page', 'first page of 20 with reply previews', measured, await commentsReadFloor(postId, measured.result, reader, false)));
  }
  return postId;
}

/** A new comment: the comment item, its id from the sequence, the post's comment counter. */
async function commentWriteFloor(postId: number, dto: { id: number; text?: string }): Promise<{ read: number; write: number; note: string }> {
  const [size] = await storedSizes([await commentItemKey(postId, dto.id)]);
  return { read: 0, write: writeUnitsFor(size!) + 2, note: `the comment item (${size} B) + its id (1) + the post's comment count (1)` };
}

/**
 * A comments page: the comments and reply previews it shows, the post's counters (the page's
 * `count`), the reader's state on those comments (user_reaction), and for with_comments the post and
 * the reader's state on it.
 */
async function commentsReadFloor(postId: number, page: any, reader: BenchUser, withPost: boolean): Promise<{ read: number; write: number; note: string }> {
  const shown: number[] = [];
  for (const comment of (page?.results ?? []) as { id: number; replies?: { id: number }[] }[]) {
    shown.push(comment.id, ...(comment.replies ?? []).map((r) => r.id));
  }
  const keys = await Promise.all(shown.map((id) => commentItemKey(postId, id)));
  const states = shown.map((id) => userStateKeys.comment(reader.id, postId, id));
  const extra = withPost ? [feedKeys.post(postId), userStateKeys.post(reader.id, postId)] : [];
  return readFloor(
    [...keys, ...states, feedKeys.postStats(postId), ...extra],
    `${shown.length} comments and replies + the reader's state on them + the post's counters${withPost ? ' + the post + the reader\'s state on it' : ''}`,
  );
}

/** The views worker on one batch of 100 counted views, in two shapes, and the same batch redelivered. */
async function measureViews(twin: BenchTwin, postIds: number[]): Promise<CapacityRow[]> {
  const rows: CapacityRow[] = [];
  const viewedAt = new Date().toISOString();
  const shapes: { shape: string; users: number; posts: number[] }[] = [
    { shape: '100 users x 1 post (100 messages)', users: 100, posts: [postIds[postIds.length - 3]!] },
    { shape: '5 users x 20 posts (5 messages)', users: 5, posts: postIds.slice(0, 20) },
  ];
  let firstBatch: string[] | undefined;
  for (const { shape, users, posts } of shapes) {
    const viewers = await Promise.all(Array.from({ length: users }, () => twin.newUser('Viewer')));
    const bodies = viewers.map((viewer) => JSON.stringify({ user_id: viewer.id, post_ids: posts, viewed_at: viewedAt }));
    firstBatch ??= bodies;
    const measured = await measure(() => invokeConsumer('ViewsCounter', bodies));
    const views = users * posts.length;
    const markers = await storedSizes(viewers.flatMap((viewer) => posts.map((id) => userStateKeys.post(viewer.id, id))));
    const stats = await storedSizes(posts.map((id) => feedKeys.postStats(id)));
    const hour = viewedAt.slice(0, 13).replace(/[-T]/g, '');
    const buckets = await storedSizes(posts.map((id) => postPartitionKeys.hourBucket(id, hour)));
    const floorWrite = sum(markers.map((size) => writeUnitsFor(size))) + sum(stats.map((size) => writeUnitsFor(size))) + sum(buckets.map((size) => writeUnitsFor(size)));
    const counted = row(
      'counted view (amortised)',
      shape,
      measured,
      { read: 0, write: floorWrite, note: 'per view its marker; per post its counters and one hour bucket' },
      { per: views, note: `per view, batch of ${views}` },
    );
    const broadcasts = counted.messages.broadcast ?? 0;
    counted.target = {
      text: '≤3 WCU/view, ≤1 broadcast per post',
      met: counted.writeUnits <= 3 && broadcasts <= posts.length,
    };
    counted.note = `${broadcasts} broadcast(s) for ${posts.length} post(s)`;
    rows.push(counted);
  }
  // Redelivery of an already counted batch (SQS at-least-once): nothing may be counted again.
  const again = await measure(() => invokeConsumer('ViewsCounter', firstBatch!));
  const redelivered = row('duplicate view (redelivered batch)', '100 users x 1 post, again', again, { read: 0, write: 0, note: 'nothing new to write' }, { per: 100 });
  redelivered.note = `${again.messages.broadcast ?? 0} broadcast(s); upper bound: rejected transactions billed as if written`;
  rows.push(redelivered);
  return rows;
}

export function capacityTable(result: CapacityResult): Table {
  const rows = result.rows.map((r) => [
    r.operation,
    r.shape,
    units(r.readUnits),
    units(r.floorRead),
    r.floorRead || r.readUnits ? ratio(r.readUnits, r.floorRead) : '-',
    units(r.writeUnits),
    units(r.floorWrite),
    r.floorWrite || r.writeUnits ? ratio(r.writeUnits, r.floorWrite) : '-',
    r.rateLimitUnits ? units(r.rateLimitUnits) : '-',
    String(r.calls),
    String(r.stages),
    Object.entries(r.messages).map(([queue, n]) => `${queue} ${n}`).join(', ') || '-',
    r.target ? `${r.target.met ? 'met' : 'MISSED'}: ${r.target.text}` : (r.note ?? ''),
  ]);
  return {
    title: 'DynamoDB capacity per operation (units as AWS bills them; floors from the actual item sizes)',
    columns: ['operation', 'shape', 'RCU', 'floor', 'ratio', 'WCU', 'floor', 'ratio', 'rate limit WCU', 'calls', 'stages', 'enqueued', 'target / note'],
    rows: [...rows, ...result.missing.map((m) => [m.operation, `not measured: ${m.reason}`, '', '', '', '', '', '', '', '', '', '', ''])],
    notes: [
      'Real handler modules run in the bench process on fake API Gateway/SQS events against the twin\'s DynamoDB Local; rate limits on. RCU/WCU exclude the rate limit\'s own write (its column).',
      'calls/stages: DynamoDB requests and how many of them run one after another (parallel calls share a stage), rate limit excluded.',
      'Floor: the stored items the response shows read once in one eventually consistent request (0.5 RCU per 4 KB), and the items it must persist as standard writes (1 WCU per KB each).',
      'DynamoDB Local under-reports transactions and empty queries; the figures are corrected to AWS billing (see bench/support/recorder.ts).',
      ...result.rows.filter((r) => r.per > 1).slice(0, 1).map(() => 'Counted views are per view: the batch\'s units divided by its views.'),
    ],
  };
}
