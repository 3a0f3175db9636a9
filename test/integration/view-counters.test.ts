import { describe, expect, it } from 'vitest';
import { POST_TRAILING_DELAY_SECONDS, POST_WINDOW_MS } from '../../lambdas/core/counter-config.ts';
import { flushCounters } from '../../lambdas/domain/counter-flush.ts';
import { claimPostFlush, raiseSent, sentCount } from '../../lambdas/repositories/counters.ts';
import { countViews } from '../../lambdas/repositories/views.ts';
import { viewTotals } from '../../lambdas/repositories/posts.ts';
import { handler as broadcastWorker } from '../../lambdas/workers/broadcast.ts';
import type { ServerMessage } from '../../lambdas/core/messages.ts';
import { handler as viewsWorker } from '../../lambdas/workers/views.ts';
import { createPost, drain, newUser } from '../support/api.ts';
import { invokeWorker, sqsEvent as rawSqsEvent } from '../support/lambda-events.ts';
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
    // A flush is claimed at most once a window while the burst and its trailing flush last.
    const claimable = Math.floor((burstMs + POST_TRAILING_DELAY_SECONDS * 1000) / POST_WINDOW_MS) + 1;
    expect(events.length).toBeLessThanOrEqual(claimable);
    expect(events.length).toBeLessThan(12);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(new Set(counts).size).toBe(counts.length);
    expect(counts.at(-1)).toBe(24);
    console.log(`post-group counters: 12 batches in ${burstMs} ms -> ${events.length} messages (${counts.join(', ')})`);
    await watcher.close();
  });

  it('a leading flush that finds its count already sent sends nothing, unless it is a redelivery', async () => {
    const post = await createPost(await newUser());
    await countViews(post.id, userIds(2).map((userId) => ({ userId, viewedAt: new Date().toISOString() })));
    // Another flush, a window later, read and sent the same count first.
    expect(await raiseSent(post.id, 'post', 2, Date.now())).toBe(true);
    expect(await flushCounters({ counter: 'post', post_id: post.id })).toEqual([]);
    // A redelivered flush may have recorded the count and failed before sending it: it sends.
    const again = await flushCounters({ counter: 'post', post_id: post.id }, Date.now(), true);
    expect(again.map((job) => job.message.data)).toEqual([{ post_id: post.id, views: 2 }]);
  });

  it('a batch that counts nothing new sends nothing; a later one sends the new count', async () => {
    const post = await createPost(await newUser());
    const watcher = await WsClient.connect(await newUser());
    await watcher.request({ type: 'join_ventroom_post', data: { post_id: post.id } }, 'ventroom_post_joined');
    const viewers = userIds(4);
    await invokeWorker('ViewsCounter', viewsWorker, sqsEvent(viewers.slice(0, 2).map((viewer) => viewsRecord(viewer, [post.id]))));
    await watcher.next('ventroom_post_view_updated', (m) => (m.data as { post_id: number }).post_id === post.id);
    // Same viewers again, a window later: counted already, so no flush is scheduled.
    await new Promise((resolve) => setTimeout(resolve, POST_WINDOW_MS + 200));
    await invokeWorker('ViewsCounter', viewsWorker, sqsEvent(viewers.slice(0, 2).map((viewer) => viewsRecord(viewer, [post.id]))));
    await new Promise((resolve) => setTimeout(resolve, POST_TRAILING_DELAY_SECONDS * 1000 + 1500));
    expect(views(distinctCounts(watcher, post.id))).toEqual([2]);
    await invokeWorker('ViewsCounter', viewsWorker, sqsEvent(viewers.slice(2).map((viewer) => viewsRecord(viewer, [post.id]))));
    await watcher.next('ventroom_post_view_updated', (m) => (m.data as { post_id: number; views: number }).post_id === post.id && (m.data as { views: number }).views === 4);
    expect(views(distinctCounts(watcher, post.id))).toEqual([2, 4]);
    await watcher.close();
  });

  it('a post nobody watches gets no flush; once someone joins, the next view reaches them', async () => {
    const post = await createPost(await newUser());
    const result = await invokeWorker('ViewsCounter', viewsWorker, sqsEvent(userIds(3).map((viewer) => viewsRecord(viewer, [post.id]))));
    expect(result.batchItemFailures).toEqual([]);
    await drain();
    expect((await viewTotals([post.id], true)).get(post.id)).toBeGreaterThanOrEqual(3);
    // No flush ran: a flush records what the group was sent, even a group with nobody in it.
    expect(await sentCount(post.id, 'post')).toBe(0);

    const watcher = await WsClient.connect(await newUser());
    await watcher.request({ type: 'join_ventroom_post', data: { post_id: post.id } }, 'ventroom_post_joined');
    expect((await invokeWorker('ViewsCounter', viewsWorker, sqsEvent(userIds(1).map((viewer) => viewsRecord(viewer, [post.id]))))).batchItemFailures).toEqual([]);
    const stored = (await viewTotals([post.id], true)).get(post.id)!;
    await watcher.next('ventroom_post_view_updated', (m) => (m.data as { post_id: number; views: number }).post_id === post.id && (m.data as { views: number }).views >= stored, 15_000);
    expect(await sentCount(post.id, 'post')).toBeGreaterThanOrEqual(stored);
    await watcher.close();
  });

  it('views whose claim lost to a pending window reach the group by its trailing flush, which takes a window of its own', async () => {
    const post = await createPost(await newUser());
    const watcher = await WsClient.connect(await newUser());
    await watcher.request({ type: 'join_ventroom_post', data: { post_id: post.id } }, 'ventroom_post_joined');
    // Views the set-up itself queued (the author's own look) are counted before the window below is
    // taken: they would fall in it, with no trailing flush of its (made-up) claimer to carry them.
    await drain();
    const stored = async () => (await viewTotals([post.id], true)).get(post.id)!;
    const base = await stored();
    const counted = base + 3;
    // Someone else's window, 4 s long (a loaded machine's views batch fits in it), is pending: these
    // views' claim loses and sends nothing at once.
    const claimedAt = Date.now();
    expect((await claimPostFlush(post.id, claimedAt, 4000, 0)).claimed).toBe(true);
    const result = await invokeWorker('ViewsCounter', viewsWorker, sqsEvent(userIds(3).map((viewer) => viewsRecord(viewer, [post.id]))));
    expect(result.batchItemFailures).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, claimedAt + 4100 - Date.now())));
    // (Tests beside this one may mark the newest posts viewed: counts of theirs are the stored count rising past 3.)
    if ((await stored()) === counted) expect(distinctCounts(watcher, post.id)).toEqual([]);

    // That window's trailing flush: the count rose past what the group was sent, and the window is over.
    const trailing = JSON.stringify({ counter: 'post', post_id: post.id, trailing: true });
    expect((await invokeWorker('BroadcastFanout', broadcastWorker, rawSqsEvent([trailing]))).batchItemFailures).toEqual([]);
    await watcher.next('ventroom_post_view_updated', (m) => (m.data as { post_id: number; views: number }).post_id === post.id && (m.data as { views: number }).views >= counted);
    // A second trailing flush finds nothing new and sends nothing (nor does the one the first scheduled).
    expect((await invokeWorker('BroadcastFanout', broadcastWorker, rawSqsEvent([trailing]))).batchItemFailures).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, POST_TRAILING_DELAY_SECONDS * 1000 + 1500));
    const final = await stored();
    const sent = views(distinctCounts(watcher, post.id));
    if (final === counted) expect(sent).toEqual([counted]);
    else expect([sent.every((count, i) => i === 0 || count > sent[i - 1]!), sent.every((count) => count >= counted && count <= final)]).toEqual([true, true]);
    await watcher.close();
  });
});
