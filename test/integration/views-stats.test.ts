import { describe, expect, it } from 'vitest';
import { computeTrending, trendingEntries, TRENDING_SIZE } from '../../lambdas/domain/trending-snapshot.ts';
import { trendingPosts } from '../../lambdas/domain/trending.ts';
import { viewStats } from '../../lambdas/domain/view-stats.ts';
import { handler } from '../../lambdas/workers/views.ts';
import { call, createPost, drain, newUser } from '../support/api.ts';
import { lambdaContext, principalOf, sqsEvent, userIds, viewsRecord } from '../support/views.ts';

/** Records `count` first views of a post by fresh users at `at` (through the worker, as SQS would). */
async function view(postId: number, at: string, count: number, users = userIds(count)): Promise<string[]> {
  const result = await handler(sqsEvent(users.map((user) => viewsRecord(user, [postId], at))), lambdaContext);
  expect(result.batchItemFailures).toEqual([]);
  return users;
}

const zeroWeek = (days: string[]) => days.map((date) => ({ date, views: 0 }));

describe('view_stats against a known sequence of views (UTC, injected clock)', () => {
  it('counts the last 24 hours by hour and the last 7 days (today first, zero-filled)', async () => {
    const author = await newUser();
    const post = await createPost(author);
    const now = new Date('2031-05-10T12:30:00Z');
    const [reader] = await view(post.id, '2031-05-10T12:05:00Z', 3); // this hour
    await view(post.id, '2031-05-10T00:00:00Z', 1); // today, first second
    await view(post.id, '2031-05-09T13:10:00Z', 2); // 23 hours back: still in the last 24
    await view(post.id, '2031-05-09T12:59:59Z', 1); // the hour 24 hours back: out of the 24 h window
    await view(post.id, '2031-05-04T08:00:00Z', 4); // 6 days back: the oldest day listed
    await view(post.id, '2031-05-03T23:59:59Z', 5); // 7 days back: not listed, still in the total

    const stats = await viewStats(principalOf(reader!), post.id, now);
    expect(stats).toEqual({
      post_id: post.id,
      total_views: 16,
      unique_viewers: 16,
      recent_views_24h: 6,
      views_last_7_days: [
        { date: '2031-05-10', views: 4 },
        { date: '2031-05-09', views: 3 },
        { date: '2031-05-08', views: 0 },
        { date: '2031-05-07', views: 0 },
        { date: '2031-05-06', views: 0 },
        { date: '2031-05-05', views: 0 },
        { date: '2031-05-04', views: 4 },
      ],
      has_user_viewed: true,
    });
    const stranger = await viewStats(principalOf(author), post.id, now);
    expect(stranger.has_user_viewed).toBe(false);
    // A day later the window has moved: only what falls in the new 24 hours and 7 days counts.
    const later = await viewStats(principalOf(author), post.id, new Date('2031-05-11T11:50:00Z'));
    expect(later.recent_views_24h).toBe(3);
    expect(later.views_last_7_days.map((day) => day.views)).toEqual([0, 4, 3, 0, 0, 0, 0]);
  });

  it('a new post has zeros for seven days; an unknown post is a 404', async () => {
    const author = await newUser();
    const post = await createPost(author);
    const stats = await viewStats(principalOf(author), post.id, new Date('2031-01-03T05:00:00Z'));
    expect(stats).toEqual({
      post_id: post.id,
      total_views: 0,
      unique_viewers: 0,
      recent_views_24h: 0,
      views_last_7_days: zeroWeek(['2031-01-03', '2031-01-02', '2031-01-01', '2030-12-31', '2030-12-30', '2030-12-29', '2030-12-28']),
      has_user_viewed: false,
    });
    await expect(viewStats(principalOf(author), 999_999_999)).rejects.toMatchObject({ status: 404, body: { detail: 'Not found.' } });
  });
});

describe('trending against a known sequence of views (injected clock)', () => {
  it('ranks by views in the last 24 hours, then total views; skips deleted posts and views older than 24 h', async () => {
    const author = await newUser();
    const [a, b, c, gone, old] = await Promise.all(Array.from({ length: 5 }, () => createPost(author)));
    const now = new Date('2031-08-20T09:45:00Z');
    await view(a!.id, '2031-08-20T09:00:00Z', 5);
    await view(a!.id, '2031-08-01T09:00:00Z', 10); // a: 5 recent, 15 total
    await view(b!.id, '2031-08-19T10:30:00Z', 5);
    await view(b!.id, '2031-08-19T09:59:00Z', 1); // b: 5 recent, 6 total
    await view(c!.id, '2031-08-20T08:15:00Z', 7); // c: 7 recent
    await view(gone!.id, '2031-08-20T09:10:00Z', 9);
    await view(old!.id, '2031-08-19T09:59:59Z', 30); // the hour 24 hours back: not recent
    expect((await call('DELETE', `/api/ventroom/posts/${gone!.id}/`, { user: author })).status).toBe(204);

    expect(await computeTrending(now)).toEqual([
      { postId: c!.id, recentViews: 7, totalViews: 7 },
      { postId: a!.id, recentViews: 5, totalViews: 15 },
      { postId: b!.id, recentViews: 5, totalViews: 6 },
    ]);

    const viewer = await newUser();
    await view(b!.id, '2031-08-01T00:00:00Z', 1, [viewer.id]); // the viewer saw b long ago
    const page = await trendingPosts(principalOf(viewer), now);
    expect(page.count).toBe(3);
    expect(page.next).toBeNull();
    expect(page.previous).toBeNull();
    expect(page.results.map((post) => post.id)).toEqual([c!.id, a!.id, b!.id]);
    expect(page.results.map((post) => [post.views, post.has_viewed])).toEqual([
      [7, false],
      [15, false],
      [7, true],
    ]);
    // Trending tracks views like any read: the two posts the viewer had not seen are counted.
    await drain();
    const again = await trendingPosts(principalOf(viewer), now);
    expect(again.results.map((post) => post.has_viewed)).toEqual([true, true, true]);
  });

  it('returns the top 20 only', async () => {
    const authors = [await newUser(), await newUser()];
    const posts = await Promise.all(Array.from({ length: TRENDING_SIZE + 2 }, (_, i) => createPost(authors[i % 2]!)));
    const now = new Date('2031-09-02T18:00:00Z');
    await Promise.all(posts.map((post, i) => view(post.id, '2031-09-02T12:00:00Z', i + 1)));
    const ranked = await computeTrending(now);
    expect(ranked.map((entry) => entry.postId)).toEqual(posts.slice(2).reverse().map((post) => post.id));
    expect(ranked.map((entry) => entry.recentViews)).toEqual(Array.from({ length: TRENDING_SIZE }, (_, i) => TRENDING_SIZE + 2 - i));
    // A day later every post gets one view: all 22 tie on recent views, total views decide the 20.
    await Promise.all(posts.map((post) => view(post.id, '2031-09-03T13:00:00Z', 1)));
    const tied = await computeTrending(new Date('2031-09-03T13:30:00Z'));
    expect(tied.map((entry) => entry.postId)).toEqual(posts.slice(2).reverse().map((post) => post.id));
    expect(new Set(tied.map((entry) => entry.recentViews))).toEqual(new Set([1]));
  });

  it('serves a snapshot for up to a minute, then recomputes it', async () => {
    const post = await createPost(await newUser());
    const now = new Date('2031-10-05T07:00:00Z');
    await view(post.id, '2031-10-05T06:30:00Z', 2);
    expect(await trendingEntries(now)).toEqual([{ postId: post.id, recentViews: 2, totalViews: 2 }]);
    await view(post.id, '2031-10-05T06:40:00Z', 3);
    // Within the refresh interval the saved snapshot answers, without reading the hour buckets.
    expect(await trendingEntries(new Date(now.getTime() + 30_000))).toEqual([{ postId: post.id, recentViews: 2, totalViews: 2 }]);
    expect(await trendingEntries(new Date(now.getTime() + 61_000))).toEqual([{ postId: post.id, recentViews: 5, totalViews: 5 }]);
  });
});
