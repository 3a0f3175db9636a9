import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { TABLE, db } from '../../lambdas/core/db.ts';
import { trendingKeys } from '../../lambdas/core/keys.ts';
import { hourOf } from '../../lambdas/core/view-time.ts';
import { computeTrending } from '../../lambdas/domain/trending-snapshot.ts';
import { call, createPost, drain, newUser, twin, type TestUser } from '../support/api.ts';
import { WsClient } from '../support/ws.ts';

const sqs = () =>
  new SQSClient({ endpoint: twin().endpoints.sqs, region: twin().region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, useQueueUrlAsEndpoint: false });

const getPost = (user: TestUser, id: number) => call('GET', `/api/ventroom/posts/${id}/`, { user });
const markViewed = (user: TestUser, json: unknown) => call('POST', '/api/ventroom/posts/mark_as_viewed/', { user, json });
const REQUIRED = { error: 'post_ids array is required' };

describe('views: counted once per user, through the queue', () => {
  it('20 concurrent GETs of one post by one user count one view', async () => {
    const post = await createPost(await newUser());
    const reader = await newUser();
    const responses = await Promise.all(Array.from({ length: 20 }, () => getPost(reader, post.id)));
    expect(responses.every((response) => response.status === 200)).toBe(true);
    await drain();
    expect((await getPost(reader, post.id)).body).toMatchObject({ views: 1, has_viewed: true });
  });

  it('30 users count 30 views; a post group member sees the count rise to 30', async () => {
    const post = await createPost(await newUser());
    const watcher = await WsClient.connect(await newUser());
    await watcher.request({ type: 'join_ventroom_post', data: { post_id: post.id } }, 'ventroom_post_joined');
    const readers = await Promise.all(Array.from({ length: 30 }, () => newUser()));
    await Promise.all(readers.map((reader) => getPost(reader, post.id)));
    await drain();
    const last = await watcher.next('ventroom_post_view_updated', (m) => m.data?.post_id === post.id && m.data.views === 30);
    expect(last.data).toEqual({ post_id: post.id, views: 30 });
    const seen = watcher.received.filter((m) => m.type === 'ventroom_post_view_updated' && m.data.post_id === post.id).map((m) => m.data.views);
    // Coalesced (lambdas/core/counters.ts): a few counts at most a second apart, rising, the last the total.
    expect(Math.max(...seen)).toBe(30);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen.length).toBeLessThan(30);
    await watcher.close();
    // (A feed page would count a view on every other test's post in it: has_viewed in lists is
    // checked in test/integration/views-stats.test.ts.)
    expect((await getPost(readers[0]!, post.id)).body).toMatchObject({ views: 30, has_viewed: true });
  });

  it('the same queue message delivered three times counts once', async () => {
    const post = await createPost(await newUser());
    const users = await Promise.all(Array.from({ length: 3 }, () => newUser()));
    for (let delivery = 0; delivery < 3; delivery++) {
      for (const user of users) {
        const body = JSON.stringify({ user_id: user.id, post_ids: [post.id], viewed_at: '2026-01-02T03:04:05.000Z' });
        await sqs().send(new SendMessageCommand({ QueueUrl: twin().queues.main.views, MessageBody: body }));
      }
    }
    await drain();
    expect((await getPost(users[0]!, post.id)).body).toMatchObject({ views: 3, has_viewed: true });
  });

  it("a deleted post's pending views are skipped, not retried into the dead-letter queue", async () => {
    const author = await newUser();
    const post = await createPost(author);
    await Promise.all(Array.from({ length: 5 }, async () => getPost(await newUser(), post.id)));
    expect((await call('DELETE', `/api/ventroom/posts/${post.id}/`, { user: author })).status).toBe(204);
    await drain();
    const { Attributes } = await sqs().send(
      new GetQueueAttributesCommand({ QueueUrl: twin().queues.deadLetter.views, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    expect(Attributes?.ApproximateNumberOfMessages).toBe('0');
    expect((await getPost(author, post.id)).status).toBe(404);
  });
});

describe('POST /posts/mark_as_viewed/', () => {
  it('answers the documented 400 for a missing, non-array or empty post_ids', async () => {
    const user = await newUser();
    for (const json of [{}, { post_ids: '1,2' }, { post_ids: 3 }, { post_ids: null }, { post_ids: [] }, [1, 2], 'post_ids']) {
      const response = await markViewed(user, json);
      expect(response.status, JSON.stringify(json)).toBe(400);
      expect(response.body).toEqual(REQUIRED);
    }
    const empty = await call('POST', '/api/ventroom/posts/mark_as_viewed/', { user });
    expect([empty.status, empty.body]).toEqual([400, REQUIRED]);
    const form = await call('POST', '/api/ventroom/posts/mark_as_viewed/', { user, body: 'post_ids=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect([form.status, form.body]).toEqual([400, REQUIRED]);
    const malformed = await call('POST', '/api/ventroom/posts/mark_as_viewed/', { user, body: '{"post_ids": [1', headers: { 'content-type': 'application/json' } });
    expect(malformed.status).toBe(400);
    expect(malformed.body.detail).toMatch(/^JSON parse error/);
  });

  it('names each bad entry and refuses more than 100 ids', async () => {
    const user = await newUser();
    const bad = await markViewed(user, { post_ids: [1, 'x', 2.5, -1, null, true, { id: 1 }, '7'] });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({
      post_ids: {
        '1': ['A valid integer is required.'],
        '2': ['A valid integer is required.'],
        '3': ['Ensure this value is greater than or equal to 1.'],
        '4': ['This field may not be null.'],
        '5': ['A valid integer is required.'],
        '6': ['A valid integer is required.'],
      },
    });
    const tooMany = await markViewed(user, { post_ids: Array.from({ length: 101 }, (_, i) => i + 1) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body).toEqual({ post_ids: ['Ensure this field has no more than 100 elements.'] });
    const cap = await markViewed(user, { post_ids: Array.from({ length: 100 }, (_, i) => 900_000_000 + i) });
    expect(cap.status).toBe(200);
    expect(cap.body.tracked_posts).toBe(100);
    expect((await call('POST', '/api/ventroom/posts/mark_as_viewed/', { json: { post_ids: [1] } })).status).toBe(401);
  });

  it('tracks each distinct id once, counts first views only, and is not held to the standard budget', async () => {
    const author = await newUser();
    const [a, b, c] = [await createPost(author), await createPost(author), await createPost(author)];
    const user = await newUser();
    const first = await markViewed(user, { post_ids: [a.id, a.id, b.id, String(c.id), 999_999_999] });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ status: 'success', tracked_posts: 4, message: 'Views tracked successfully' });
    await drain();
    for (const post of [a, b, c]) expect((await getPost(user, post.id)).body).toMatchObject({ views: 1, has_viewed: true });
    // View tracking is not held to the standard 100 a minute (its own budget is 300: resource-limits.test.ts).
    for (let round = 0; round < 7; round++) {
      const responses = await Promise.all(Array.from({ length: 15 }, () => markViewed(user, { post_ids: [a.id, b.id, c.id] })));
      expect(responses.map((response) => response.status)).toEqual(Array(15).fill(200));
    }
    await drain();
    for (const post of [a, b, c]) expect((await getPost(author, post.id)).body.views).toBe(1);
  });
});

describe('GET /posts/{id}/view_stats/', () => {
  it('reports the documented fields, counts no view itself, and reflects a counted view', async () => {
    const author = await newUser();
    const post = await createPost(author);
    const before = await call('GET', `/api/ventroom/posts/${post.id}/view_stats/`, { user: author });
    expect(before.status).toBe(200);
    expect(Object.keys(before.body).sort()).toEqual(['has_user_viewed', 'post_id', 'recent_views_24h', 'total_views', 'unique_viewers', 'views_last_7_days']);
    expect(before.body.views_last_7_days).toHaveLength(7);
    expect(before.body.views_last_7_days[0].date).toBe(new Date().toISOString().slice(0, 10));
    await drain();
    const reader = await newUser();
    await getPost(reader, post.id);
    await drain();
    const after = await call('GET', `/api/ventroom/posts/${post.id}/view_stats`, { user: reader });
    expect(after.body).toMatchObject({ post_id: post.id, total_views: 1, unique_viewers: 1, recent_views_24h: 1, has_user_viewed: true });
    expect(after.body.views_last_7_days[0].views + after.body.views_last_7_days[1].views).toBe(1);
    const byAuthor = await call('GET', `/api/ventroom/posts/${post.id}/view_stats/`, { user: author });
    expect(byAuthor.body).toMatchObject({ total_views: 1, has_user_viewed: false });
    for (const id of ['999999999', 'abc']) {
      const missing = await call('GET', `/api/ventroom/posts/${id}/view_stats/`, { user: author });
      expect([missing.status, missing.body]).toEqual([404, { detail: 'Not found.' }]);
    }
  });
});

describe('GET /posts/trending/', () => {
  it('serves the snapshot in the paginated shape, reading posts fresh, and tracks views of its results', async () => {
    const author = await newUser();
    const [hot, warm] = [await createPost(author), await createPost(author)];
    const readers = await Promise.all(Array.from({ length: 3 }, () => newUser()));
    await Promise.all(readers.map((reader) => getPost(reader, hot.id)));
    await getPost(readers[0]!, warm.id);
    await drain();
    // Trending counts a view on every post it returns, and in the real current hour those would be
    // other tests' posts too: this test serves a snapshot naming only its own posts (how the list is
    // computed is tested with an injected clock in test/integration/views-stats.test.ts).
    const now = Date.now();
    const entries = [[hot.id, 3, 3], [warm.id, 1, 1]];
    for (const hour of [hourOf(new Date(now)), hourOf(new Date(now + 3_600_000))]) {
      await db.send(new PutCommand({ TableName: TABLE, Item: { ...trendingKeys.snapshot(hour), computed_at: now, entries } }));
    }
    const newcomer = await newUser();
    const trending = await call('GET', '/api/ventroom/posts/trending/', { user: newcomer });
    expect(trending.status).toBe(200);
    expect(trending.body).toEqual({ count: 2, next: null, previous: null, results: [expect.any(Object), expect.any(Object)] });
    const [first, second] = trending.body.results;
    expect(first).toEqual({ ...hot, views: 3, has_viewed: false });
    expect(second).toMatchObject({ id: warm.id, views: 1, has_viewed: false });
    await drain();
    const again = await call('GET', '/api/ventroom/posts/trending', { user: newcomer });
    expect(again.body.results.map((post: { views: number; has_viewed: boolean }) => [post.views, post.has_viewed])).toEqual([
      [4, true],
      [2, true],
    ]);
    const byReader = await call('GET', '/api/ventroom/posts/trending/', { user: readers[0]! });
    expect(byReader.body.results.map((post: { has_viewed: boolean }) => post.has_viewed)).toEqual([true, true]);
  });

  it('a reader who finds no fresh snapshot computes the list from the hourly index and saves it for the others', async () => {
    const author = await newUser();
    const hot = await createPost(author);
    const readers = await Promise.all(Array.from({ length: 4 }, () => newUser()));
    await Promise.all(readers.map((reader) => getPost(reader, hot.id)));
    await drain();
    // The views batch refreshed the hour's snapshot (refreshTrendingIfStale): without it, the first
    // reader is the one to refresh (the path a deploy's TrendingPosts role must be allowed to take).
    const hours = [hourOf(new Date()), hourOf(new Date(Date.now() + 3_600_000))];
    for (const hour of hours) await db.send(new DeleteCommand({ TableName: TABLE, Key: trendingKeys.snapshot(hour) }));
    const expected = await computeTrending(new Date());
    expect(expected.length).toBeGreaterThan(0);
    const before = Date.now();
    const trending = await call('GET', '/api/ventroom/posts/trending/', { user: await newUser() });
    expect(trending.status).toBe(200);
    expect(trending.body.results.map((post: { id: number }) => post.id)).toEqual(expected.map((entry) => entry.postId));
    const saved = await db.send(new GetCommand({ TableName: TABLE, Key: trendingKeys.snapshot(hourOf(new Date(before))) }));
    expect(saved.Item?.computed_at).toBeGreaterThanOrEqual(before);
    expect(saved.Item?.entries).toEqual(expected.map((entry) => [entry.postId, entry.recentViews, entry.totalViews]));
    await drain();
  });

  it('reads the caller\'s state on results far apart in id (one BatchGetItem instead of a range Query)', async () => {
    const author = await newUser();
    const first = await createPost(author);
    // Ids more than four times wider apart than the results are many (user-state.ts, DENSE_SPAN_FACTOR).
    for (let i = 0; i < 8; i++) await createPost(author);
    const last = await createPost(author);
    const reader = await newUser();
    await getPost(reader, last.id);
    await drain();
    const now = Date.now();
    const entries = [[last.id, 1, 1], [first.id, 0, 0]];
    for (const hour of [hourOf(new Date(now)), hourOf(new Date(now + 3_600_000))]) {
      await db.send(new PutCommand({ TableName: TABLE, Item: { ...trendingKeys.snapshot(hour), computed_at: now, entries } }));
    }
    const trending = await call('GET', '/api/ventroom/posts/trending/', { user: reader });
    expect(trending.status).toBe(200);
    expect(trending.body.results.map((post: { id: number; has_viewed: boolean }) => [post.id, post.has_viewed])).toEqual([
      [last.id, true],
      [first.id, false],
    ]);
  });
});
