import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { markAsViewed } from '../../lambdas/domain/mark-viewed.ts';
import { findPostStats } from '../../lambdas/repositories/posts.ts';
import { handler } from '../../lambdas/workers/views.ts';
import { call, createPost, newUser } from '../support/api.ts';
import { watchSentMessages } from '../support/sent-messages.ts';
import { lambdaContext, principalOf, sqsEvent, userIds, viewsRecord } from '../support/views.ts';

/** Hardening item 2: mark_as_viewed must not turn ids of deleted posts into worker load, and a batch bounds its own work. */
afterEach(() => vi.restoreAllMocks());

const watchViewsQueue = () => watchSentMessages<{ post_ids: number[] }>();

describe('views amplification (hardening item 2)', () => {
  it('ids of deleted posts are not queued; the live ones of the same request are', async () => {
    const author = await newUser();
    const posts = await Promise.all(Array.from({ length: 4 }, () => createPost(author)));
    const [live, ...doomed] = posts;
    for (const post of doomed) expect((await call('DELETE', `/api/ventroom/posts/${post.id}/`, { user: author })).status).toBe(204);
    const sent = watchViewsQueue();
    const viewer = newUser();
    expect(await markAsViewed(principalOf(await viewer), doomed.map((p) => p.id))).toBe(3);
    expect(await markAsViewed(principalOf(await viewer), [...doomed.map((p) => p.id), live!.id])).toBe(4);
    expect(sent.map((message) => message.post_ids)).toEqual([[live!.id]]);
  });

  it('a batch short of time leaves posts it cannot finish to the retry instead of timing out whole', async () => {
    const post = await createPost(await newUser());
    const [early, late] = userIds(2);
    const records = [viewsRecord(early!, [post.id]), viewsRecord(late!, [post.id])];
    const shortOfTime = { ...lambdaContext, getRemainingTimeInMillis: () => 1_000 } as Context;
    const result = await handler(sqsEvent(records), shortOfTime);
    expect(result.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(records.map((r) => r.messageId).sort());
    expect((await findPostStats(post.id))?.views).toBe(0);
    // The retry, with time, counts both exactly once.
    expect((await handler(sqsEvent(records), lambdaContext)).batchItemFailures).toEqual([]);
    expect((await findPostStats(post.id))?.views).toBe(2);
  });
});
