import { describe, expect, it } from 'vitest';
import { POST_WINDOW_SECONDS } from '../../lambdas/core/counter-config.ts';
import type { ServerMessage } from '../../lambdas/core/messages.ts';
import { handler as viewsWorker } from '../../lambdas/workers/views.ts';
import { createPost, newUser } from '../support/api.ts';
import { invokeWorker } from '../support/lambda-events.ts';
import { sqsEvent, userIds, viewsRecord } from '../support/views.ts';
import { WsClient } from '../support/ws.ts';

/**
 * Coalesced view counters (lambdas/core/counters.ts), seen by a post's group: however many batches
 * count views, the group hears the latest count at most once a window and never a lower count after
 * a higher one. (The feed's window and its choice of posts need the twin to themselves:
 * test/exclusive/feed-counters.test.ts.)
 */
const distinctCounts = (client: WsClient, postId: number): ServerMessage[] => [
  ...new Map(client.received.filter((m) => m.type === 'ventroom_post_view_updated' && (m.data as { post_id: number }).post_id === postId).map((m) => [m.id, m])).values(),
];
const views = (events: ServerMessage[]) => events.map((m) => (m.data as { views: number }).views);

describe('view counters of a post group', () => {
  it('are coalesced: twelve batches in a burst reach the group as at most one count a window, rising to the latest', async () => {
    const post = await createPost(await newUser());
    const watcher = await WsClient.connect(await newUser());
    await watcher.request({ type: 'join_ventroom_post', data: { post_id: post.id } }, 'ventroom_post_joined');
    const viewers = userIds(24);

    const started = Date.now();
    for (let batch = 0; batch < 12; batch++) {
      const result = await invokeWorker('ViewsCounter', viewsWorker, sqsEvent(viewers.slice(batch * 2, batch * 2 + 2).map((viewer) => viewsRecord(viewer, [post.id]))));
      expect(result.batchItemFailures).toEqual([]);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const burstMs = Date.now() - started;
    await watcher.next('ventroom_post_view_updated', (m) => (m.data as { post_id: number; views: number }).post_id === post.id && (m.data as { views: number }).views === 24, 15_000);

    const events = distinctCounts(watcher, post.id);
    const counts = views(events);
    // A flush is claimed at most once a window (less its 100 ms margin) while the burst lasts.
    const claimable = Math.floor(burstMs / (POST_WINDOW_SECONDS * 1000 - 100)) + 1;
    expect(events.length).toBeLessThanOrEqual(claimable);
    expect(events.length).toBeLessThan(12);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(new Set(counts).size).toBe(counts.length);
    expect(counts.at(-1)).toBe(24);
    console.log(`post-group counters: 12 batches in ${burstMs} ms -> ${events.length} messages (${counts.join(', ')})`);
    await watcher.close();
  });

  it('a batch that counts nothing new sends nothing; a later one sends the new count', async () => {
    const post = await createPost(await newUser());
    const watcher = await WsClient.connect(await newUser());
    await watcher.request({ type: 'join_ventroom_post', data: { post_id: post.id } }, 'ventroom_post_joined');
    const viewers = userIds(4);
    await invokeWorker('ViewsCounter', viewsWorker, sqsEvent(viewers.slice(0, 2).map((viewer) => viewsRecord(viewer, [post.id]))));
    await watcher.next('ventroom_post_view_updated', (m) => (m.data as { post_id: number }).post_id === post.id);
    // Same viewers again, a window later: counted already, so no flush is scheduled.
    await new Promise((resolve) => setTimeout(resolve, POST_WINDOW_SECONDS * 1000 + 200));
    await invokeWorker('ViewsCounter', viewsWorker, sqsEvent(viewers.slice(0, 2).map((viewer) => viewsRecord(viewer, [post.id]))));
    await new Promise((resolve) => setTimeout(resolve, POST_WINDOW_SECONDS * 1000 + 1500));
    expect(views(distinctCounts(watcher, post.id))).toEqual([2]);
    await invokeWorker('ViewsCounter', viewsWorker, sqsEvent(viewers.slice(2).map((viewer) => viewsRecord(viewer, [post.id]))));
    await watcher.next('ventroom_post_view_updated', (m) => (m.data as { post_id: number; views: number }).post_id === post.id && (m.data as { views: number }).views === 4);
    expect(views(distinctCounts(watcher, post.id))).toEqual([2, 4]);
    await watcher.close();
  });
});
