import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TABLE, db } from '../../lambdas/core/db.ts';
import { feedKeys } from '../../lambdas/core/keys.ts';
import { postLeftovers, userStateKeysOnPost } from '../../lambdas/repositories/post-leftovers.ts';
import { call, createPost, newUser } from '../support/api.ts';
import { invokeWorker, sqsEvent } from '../support/lambda-events.ts';
import { watchSentMessages } from '../support/sent-messages.ts';
import { sqsEvent as viewsEvent, viewsRecord } from '../support/views.ts';

/**
 * Hardening item 4, its last part: a deleted post with very many viewers is cleaned in bounded
 * passes, each continued by a job of its own, instead of one invocation that runs out of time and
 * ends in the dead-letter queue. The bounds are set small here (at cold start, before the worker
 * loads) so a post of 60 viewers takes several passes.
 */
process.env.CLEANUP_PASS_ITEMS = '6';
process.env.CLEANUP_PASS_USERS = '15';
const { handler: cleanup } = await import('../../lambdas/workers/cleanup.ts');
const { handler: countViews } = await import('../../lambdas/workers/views.ts');

afterEach(() => vi.restoreAllMocks());

type Job = { kind: string; post_id: number; media_key: string | null };

describe('the post cleanup in passes', () => {
  it('takes a big post on in bounded passes, each continued by a job, until nothing is left', async () => {
    const author = await newUser();
    const post = await createPost(author);
    const viewers = Array.from({ length: 60 }, (_, i) => `cleanup-pass-${post.id}-${i}`);
    for (let batch = 0; batch < 6; batch++) {
      const records = viewers.slice(batch * 10, batch * 10 + 10).map((viewer) => viewsRecord(viewer, [post.id]));
      expect((await invokeWorker('ViewsCounter', countViews, viewsEvent(records))).batchItemFailures).toEqual([]);
    }
    for (const text of ['one', 'two', 'three']) {
      expect((await call('POST', `/api/ventroom/posts/${post.id}/comments/`, { user: author, json: { text } })).status).toBe(201);
    }
    const reactor = await newUser();
    expect((await call('POST', '/api/ventroom/reactions/', { user: reactor, json: { content_type: 'ventpost', object_id: post.id, reaction_type: '😢' } })).status).toBe(201);
    const before = await postLeftovers(post.id);
    expect(before.userIds.size).toBe(61);

    // The post is gone (as after its delete's transaction); the jobs are run here, in passes.
    await db.send(new DeleteCommand({ TableName: TABLE, Key: feedKeys.post(post.id) }));
    await db.send(new DeleteCommand({ TableName: TABLE, Key: feedKeys.postStats(post.id) }));
    const sent = watchSentMessages<Job>();
    let job: Job = { kind: 'post', post_id: post.id, media_key: null };
    let passes = 0;
    for (; passes < 40; passes++) {
      sent.length = 0;
      expect((await invokeWorker('Cleanup', cleanup, sqsEvent([JSON.stringify(job)]))).batchItemFailures).toEqual([]);
      const continuations = sent.filter((message) => message.kind === 'post');
      if (continuations.length === 0) break;
      expect(continuations).toEqual([{ kind: 'post', post_id: post.id, media_key: null }]);
      job = continuations[0]!;
      if (passes === 0) {
        // The first pass stopped at its bounds and left the rest for the next.
        const left = await postLeftovers(post.id);
        expect(left.keys.length).toBeGreaterThan(0);
        expect(left.keys.length).toBeLessThan(before.keys.length);
      }
    }
    // 60 viewers in 15-user passes, plus comments and buckets: more than one pass, and not forty.
    // The continuations also reach the twin's real cleanup queue, whose poller may run some of the
    // passes meanwhile (safe: a pass deletes what it finds), so this loop may see only the first continuation.
    expect(passes).toBeGreaterThanOrEqual(1);
    expect(passes).toBeLessThan(40);
    expect((await postLeftovers(post.id)).keys).toEqual([]);
    for (const user of [...viewers, reactor.id]) expect(await userStateKeysOnPost(user, post.id)).toEqual([]);
  });
});
