import { describe, expect, it } from 'vitest';
import { counterConfig, FEED_POSTS_PER_FLUSH } from '../../lambdas/core/counter-config.ts';
import type { ServerMessage } from '../../lambdas/core/messages.ts';
import { handler as viewsWorker } from '../../lambdas/workers/views.ts';
import { createPost, newUser } from '../support/api.ts';
import { invokeWorker } from '../support/lambda-events.ts';
import { sqsEvent, userIds, viewsRecord } from '../support/views.ts';
import { WsClient } from '../support/ws.ts';

/**
 * The feed's coalesced view counters (lambdas/core/counters.ts): per window, the counts of at most
 * FEED_POSTS_PER_FLUSH posts, newest posts first, each the latest count; the others wait for the next
 * windows. A connection that is also in a post's group gets that post's counts from its group only.
 * Exclusive: the feed's window is shared by every post on the twin.
 */
type Counter = { post_id: number; views: number };
const counters = (client: WsClient, postIds: number[]): ServerMessage[] => [
  ...new Map(client.received.filter((m) => m.type === 'ventroom_post_view_updated' && postIds.includes((m.data as Counter).post_id)).map((m) => [m.id, m])).values(),
];

describe('view counters of the feed', () => {
  it(`carry ${FEED_POSTS_PER_FLUSH} posts a window, newest first, the latest counts; a member of the post's group hears it there only`, async () => {
    const author = await newUser();
    const [oldest, middle, newest] = [await createPost(author), await createPost(author), await createPost(author)];
    const ids = [oldest.id, middle.id, newest.id];
    const feedWatcher = await WsClient.connect(await newUser());
    await feedWatcher.request({ type: 'join_ventroom' }, 'ventroom_joined');
    const both = await WsClient.connect(await newUser());
    await both.request({ type: 'join_ventroom' }, 'ventroom_joined');
    await both.request({ type: 'join_ventroom_post', data: { post_id: oldest.id } }, 'ventroom_post_joined');

    const viewers = userIds(9);
    // Every post gets views in two batches; the second comes within the window, so the feed hears only the latest.
    for (const [index, post] of [oldest, middle, newest].entries()) {
      await invokeWorker('ViewsCounter', viewsWorker, sqsEvent(viewers.slice(0, 2 + index).map((viewer) => viewsRecord(viewer, [post.id]))));
    }
    await invokeWorker('ViewsCounter', viewsWorker, sqsEvent(viewers.slice(0, 5).map((viewer) => viewsRecord(viewer, [oldest.id]))));
    const expected = new Map([[oldest.id, 5], [middle.id, 3], [newest.id, 4]]);

    const windowMs = counterConfig.FEED_COUNTER_WINDOW_SECONDS * 1000;
    await feedWatcher.next('ventroom_post_view_updated', (m) => (m.data as Counter).post_id === oldest.id, 3 * windowMs + 15_000);
    const events = counters(feedWatcher, ids);
    // One message per post, each with its latest count: the first window's two are the newest posts (their order on the wire is free).
    expect(events).toHaveLength(3);
    for (const event of events) expect((event.data as Counter).views).toBe(expected.get((event.data as Counter).post_id));
    expect((events[2]!.data as Counter).post_id).toBe(oldest.id);
    expect(new Set(events.slice(0, 2).map((m) => (m.data as Counter).post_id))).toEqual(new Set([newest.id, middle.id]));
    // The oldest waited a whole window after the first flush (stamped when each flush ran).
    const flushed = (m: ServerMessage) => Date.parse(m.timestamp);
    expect(flushed(events[2]!) - Math.max(flushed(events[0]!), flushed(events[1]!))).toBeGreaterThanOrEqual(windowMs - 1000);

    // `both` got the two newest from the feed, the oldest from its group (within a second), never the feed's copy of it.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const bothEvents = counters(both, ids);
    const fromFeed = new Set(events.map((m) => m.id));
    expect(bothEvents.filter((m) => (m.data as Counter).post_id === oldest.id).some((m) => fromFeed.has(m.id))).toBe(false);
    expect(bothEvents.filter((m) => (m.data as Counter).post_id === oldest.id).at(-1)?.data).toEqual({ post_id: oldest.id, views: 5 });
    expect(bothEvents.filter((m) => (m.data as Counter).post_id !== oldest.id).map((m) => m.id).sort()).toEqual(events.slice(0, 2).map((m) => m.id).sort());
    console.log(`feed counters: ${events.map((m) => `${(m.data as Counter).post_id}=${(m.data as Counter).views}`).join(', ')}; oldest ${flushed(events[2]!) - flushed(events[0]!)} ms after the first window`);
    await Promise.all([feedWatcher.close(), both.close()]);
  }, 90_000);
});
