import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TABLE, db } from '../../lambdas/core/db.ts';
import { feedKeys, postPartitionKeys } from '../../lambdas/core/keys.ts';
import { logger } from '../../lambdas/core/logger.ts';
import { hourOf } from '../../lambdas/core/view-time.ts';
import { presentPosts } from '../../lambdas/domain/post-reads.ts';
import { findPost, findPostStats, type StoredPost } from '../../lambdas/repositories/posts.ts';
import { userPostState } from '../../lambdas/repositories/user-state.ts';
import { chunkViews, hourlyViews } from '../../lambdas/repositories/views.ts';
import { handler } from '../../lambdas/workers/views.ts';
import { call, createPost, newUser } from '../support/api.ts';
import { lambdaContext, partitionKeys, principalOf, sqsEvent, userIds, viewsRecord } from '../support/views.ts';

const run = (records: Parameters<typeof sqsEvent>[0]) => handler(sqsEvent(records), lambdaContext);
const viewsOf = async (postId: number) => (await findPostStats(postId))?.views;
const failures = (result: Awaited<ReturnType<typeof run>>) => result.batchItemFailures.map((f) => f.itemIdentifier).sort();

async function viewerLogUsers(postId: number): Promise<string[]> {
  const users: string[] = [];
  for (const sk of await partitionKeys(postId, postPartitionKeys.viewerLogPrefix)) {
    const { Item } = await db.send(new GetCommand({ TableName: TABLE, Key: { pk: postPartitionKeys.partition(postId), sk } }));
    users.push(...(Item!.user_ids as Set<string>));
  }
  return users.sort();
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('views worker: each (user, post) counted once', () => {
  it('the same message delivered three times counts once', async () => {
    const post = await createPost(await newUser());
    const records = userIds(3).map((user) => viewsRecord(user, [post.id]));
    for (let delivery = 0; delivery < 3; delivery++) expect(failures(await run(records))).toEqual([]);
    expect(await viewsOf(post.id)).toBe(3);
    expect([...(await hourlyViews(post.id, hourOf(new Date(Date.now() - 3_600_000)), hourOf(new Date(Date.now() + 3_600_000)))).values()].reduce((a, b) => a + b, 0)).toBe(3);
    // Only the delivery that counted left a viewer log, naming exactly the three viewers.
    expect(await partitionKeys(post.id, postPartitionKeys.viewerLogPrefix)).toHaveLength(1);
    expect(await viewerLogUsers(post.id)).toEqual(records.map((r) => (r.message as { user_id: string }).user_id).sort());
  });

  it('drops duplicates inside a batch and views already counted by an earlier batch', async () => {
    const author = await newUser();
    const [p1, p2] = [await createPost(author), await createPost(author)];
    const [u0, u1, u2, u3] = userIds(4);
    await run([viewsRecord(u0!, [p1.id])]);
    const result = await run([
      viewsRecord(u1!, [p1.id, p2.id]),
      viewsRecord(u1!, [p1.id]),
      viewsRecord(u2!, [p1.id, p1.id]),
      viewsRecord(u3!, [p2.id]),
      viewsRecord(u0!, [p1.id]),
    ]);
    expect(failures(result)).toEqual([]);
    expect(await viewsOf(p1.id)).toBe(3);
    expect(await viewsOf(p2.id)).toBe(2);
    expect(await viewerLogUsers(p1.id)).toEqual([u0, u1, u2].sort());
    for (const user of [u0, u1, u2]) expect((await userPostState(user!, p1.id)).viewed).toBe(true);
    expect((await userPostState(u3!, p1.id)).viewed).toBe(false);
    // What a feed page shows (one range Query of the reader's states over the page).
    const page = (await Promise.all([p2, p1].map((post) => findPost(post.id)))) as StoredPost[];
    expect((await presentPosts(principalOf(u1!), page)).map((post) => [post.id, post.views, post.has_viewed])).toEqual([
      [p2.id, 2, true],
      [p1.id, 3, true],
    ]);
    expect((await presentPosts(principalOf(u3!), page)).map((post) => post.has_viewed)).toEqual([true, false]);
  });

  it('concurrent batches naming the same viewers never double count', async () => {
    const post = await createPost(await newUser());
    const users = userIds(30);
    const batches = Array.from({ length: 4 }, () => run(users.map((user) => viewsRecord(user, [post.id]))));
    for (const result of await Promise.all(batches)) expect(failures(result)).toEqual([]);
    expect(await viewsOf(post.id)).toBe(30);
    expect(await viewerLogUsers(post.id)).toEqual([...users].sort());
  });

  it('splits a large batch across transactions of at most 100 actions and hour buckets', async () => {
    const post = await createPost(await newUser());
    const users = userIds(250);
    const records = users.map((user, i) => viewsRecord(user, [post.id], i % 2 ? '2029-07-01T10:59:59.000Z' : '2029-07-01T11:00:00.000Z'));
    expect(failures(await run(records))).toEqual([]);
    expect(await viewsOf(post.id)).toBe(250);
    expect(Object.fromEntries(await hourlyViews(post.id, '2029070100', '2029070123'))).toEqual({ '2029070110': 125, '2029070111': 125 });
    expect(await viewerLogUsers(post.id)).toEqual([...users].sort());
  });

  it('chunks so that markers, counter, one bucket per hour and the log fit 100 actions', () => {
    const views = Array.from({ length: 500 }, (_, i) => ({ userId: `u${i}`, viewedAt: new Date(Date.UTC(2029, 0, 1, i % 30)).toISOString() }));
    const chunks = chunkViews(views);
    expect(chunks.flat()).toHaveLength(500);
    for (const chunk of chunks) {
      const hours = new Set(chunk.map((view) => hourOf(view.viewedAt))).size;
      expect(chunk.length + 1 + hours + 1).toBeLessThanOrEqual(100);
    }
  });
});

describe('views worker: failures and deleted posts', () => {
  it('a post whose write fails fails only the messages naming it; the rest commit and a retry counts it once', async () => {
    const author = await newUser();
    const [a, b] = [await createPost(author), await createPost(author)];
    const [u1, u2, u3] = userIds(3);
    const m1 = viewsRecord(u1!, [a.id, b.id]);
    const m2 = viewsRecord(u2!, [b.id]);
    const m3 = viewsRecord(u3!, [a.id]);
    const logged = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const send = db.send.bind(db);
    const failing = feedKeys.postStats(b.id);
    vi.spyOn(db, 'send').mockImplementation((async (command: unknown) => {
      const items = command instanceof TransactWriteCommand ? (command.input.TransactItems ?? []) : [];
      if (items.some((item) => item.Update?.Key?.sk === failing.sk && item.Update?.Key?.pk === failing.pk)) {
        throw Object.assign(new Error('injected outage'), { name: 'InternalServerError' });
      }
      return send(command as never);
    }) as never);
    expect(failures(await run([m1, m2, m3]))).toEqual([m1.messageId, m2.messageId].sort());
    expect(logged).toHaveBeenCalledWith('Counting views failed', expect.objectContaining({ postId: b.id }));
    vi.restoreAllMocks();
    expect(await viewsOf(a.id)).toBe(2);
    expect(await viewsOf(b.id)).toBe(0);
    // The event source redelivers the two failed messages: b is counted, a is not counted again.
    expect(failures(await run([m1, m2]))).toEqual([]);
    expect(await viewsOf(a.id)).toBe(2);
    expect(await viewsOf(b.id)).toBe(2);
  });

  it('skips views of a deleted post without failing (no retry loop) and leaves nothing behind', async () => {
    const author = await newUser();
    const [gone, live] = [await createPost(author), await createPost(author)];
    expect((await call('DELETE', `/api/ventroom/posts/${gone.id}/`, { user: author })).status).toBe(204);
    const [u1, u2] = userIds(2);
    const result = await run([viewsRecord(u1!, [gone.id, live.id]), viewsRecord(u2!, [gone.id])]);
    expect(failures(result)).toEqual([]);
    expect(await viewsOf(live.id)).toBe(1);
    expect(await viewsOf(gone.id)).toBeUndefined();
    expect((await userPostState(u1!, gone.id)).viewed).toBe(false);
    expect(await partitionKeys(gone.id, postPartitionKeys.viewerLogPrefix)).toEqual([]);
    expect(await partitionKeys(gone.id, postPartitionKeys.hourBucketPrefix)).toEqual([]);
  });

  it('reports a malformed message as a failure and counts the others', async () => {
    const post = await createPost(await newUser());
    const good = viewsRecord(userIds(1)[0]!, [post.id]);
    const bad = { messageId: 'bad-1', message: '{"user_id": 5, "post_ids": "x"}' };
    const logged = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    expect(failures(await run([good, bad]))).toEqual(['bad-1']);
    expect(logged).toHaveBeenCalledWith('Malformed views message', { messageId: 'bad-1' });
    expect(await viewsOf(post.id)).toBe(1);
  });
});
