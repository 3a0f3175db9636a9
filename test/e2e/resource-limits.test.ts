import { describe, expect, it } from 'vitest';
import { feedKeys } from '../../lambdas/core/keys.ts';
import { queryAll } from '../../lambdas/repositories/query.ts';
import { call, createPost, newUser, type ApiResponse } from '../support/api.ts';
import { comment, inParallel } from '../support/comments.ts';

/**
 * OWASP API4 (unrestricted resource consumption): one user's budget holds exactly under 20 parallel
 * clients (the window counter is one conditional write: no overshoot, no undershoot), and page sizes
 * stay capped at 100 whatever is asked.
 */
const CLIENTS = 20;

/** Budgets count per fixed minute: start well inside a window so a burst lands in one. */
async function freshWindow(): Promise<void> {
  const second = new Date().getUTCSeconds();
  if (second > 40) await new Promise((resolve) => setTimeout(resolve, (61 - second) * 1000));
}

/** `perClient` requests from each of 20 clients at once, each client sequential. */
async function burst(perClient: number, request: (client: number, i: number) => Promise<ApiResponse>): Promise<Record<number, number>> {
  const statuses: Record<number, number> = {};
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      for (let i = 0; i < perClient; i++) {
        const { status } = await request(client, i);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }),
  );
  return statuses;
}

describe('rate limits under 20 parallel clients of one user', () => {
  it('exactly the budget succeeds in each class (create 20, reaction 60, standard 100); the rest get 429 and write nothing', async () => {
    const user = await newUser();
    const target = await createPost(await newUser());
    await freshWindow();
    const [creates, reactions, edits] = await Promise.all([
      burst(2, (client, i) => call('POST', '/api/ventroom/posts/', { user, json: { content: `burst ${client}.${i}` } })),
      burst(4, (_, i) => call('POST', '/api/ventroom/reactions/', { user, json: { content_type: 'ventpost', object_id: target.id, reaction_type: i % 2 ? '👍' : '😂' } })),
      // A standard-class request that reads nothing real (no view counted on other tests' posts).
      burst(6, () => call('GET', '/api/ventroom/posts/987654321/', { user })),
    ]);
    expect(creates).toEqual({ 201: 20, 429: 20 });
    expect(reactions).toEqual({ 201: 60, 429: 20 });
    expect(edits).toEqual({ 404: 100, 429: 20 });
    // Exactly 20 posts by this user exist: refused requests wrote nothing.
    const mine = await queryAll({
      KeyConditionExpression: 'pk = :pk',
      FilterExpression: '#user.#id = :id',
      ExpressionAttributeNames: { '#user': 'user', '#id': 'id' },
      ExpressionAttributeValues: { ':pk': feedKeys.partition, ':id': user.id },
    });
    expect(mine).toHaveLength(20);
  });

  it('mark_as_viewed has a budget of 300 a minute (far above a scrolling app) and takes at most 100 ids', async () => {
    const user = await newUser();
    await freshWindow();
    const statuses = await burst(16, () => call('POST', '/api/ventroom/posts/mark_as_viewed/', { user, json: { post_ids: [987654321] } }));
    expect(statuses).toEqual({ 200: 300, 429: 20 });
    const tooMany = await call('POST', '/api/ventroom/posts/mark_as_viewed/', { user: await newUser(), json: { post_ids: Array.from({ length: 101 }, (_, i) => i + 1) } });
    expect(tooMany.status).toBe(400);
  });
});

describe('page sizes are capped at 100', () => {
  it('comments list and with_comments: page_size beyond 100 gives 100', async () => {
    const post = await createPost(await newUser());
    const writers = await Promise.all(Array.from({ length: 7 }, () => newUser()));
    await inParallel(Array.from({ length: 105 }, (_, i) => () => comment(writers[i % writers.length]!, post.id, `c${i}`)), 10);
    const reader = await newUser();
    for (const size of ['100', '101', '1000', '99999999999999999999']) {
      const list = await call('GET', `/api/ventroom/posts/${post.id}/comments/?page_size=${size}`, { user: reader });
      expect(list.body.results).toHaveLength(100);
      expect(list.body.count).toBe(105);
      const withComments = await call('GET', `/api/ventroom/posts/${post.id}/with_comments/?page_size=${size}`, { user: reader });
      expect(withComments.body.comments.results).toHaveLength(100);
    }
    for (const size of ['0', '-1', 'abc', '']) {
      expect((await call('GET', `/api/ventroom/posts/${post.id}/comments/?page_size=${size}`, { user: reader })).body.results).toHaveLength(20);
    }
  });
});
