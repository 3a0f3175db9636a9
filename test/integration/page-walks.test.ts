import { afterEach, describe, expect, it } from 'vitest';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE, db } from '../../lambdas/core/db.ts';
import { commentKeys, feedKeys } from '../../lambdas/core/keys.ts';
import { MAX_WALK_ITEMS, pageParams, pageStart } from '../../lambdas/core/pagination.ts';
import { handler as listComments } from '../../lambdas/http/comments/list.ts';
import { handler as withComments } from '../../lambdas/http/posts/with-comments.ts';
import { handler as listPosts } from '../../lambdas/http/posts/list.ts';
import { batchWrite, putRequest } from '../../lambdas/repositories/batch-write.ts';
import { commentItem } from '../../lambdas/repositories/comment-items.ts';
import { createPost, newUser } from '../support/api.ts';
import { watchDbCalls } from '../support/db-calls.ts';
import { invokeHttp } from '../support/lambda-events.ts';

/**
 * Hardening item 3: a bare `?page=N` (no cursor) walks keys to the page's start, and reading keys
 * costs the items' full size. The walk only runs to a page that exists (counts first, the comments
 * list included) and never deeper than MAX_WALK_ITEMS.
 */
const isWalk = (call: { command: string; input: Record<string, any> }) => call.command === 'QueryCommand' && call.input.ProjectionExpression === 'sk';
let watch: ReturnType<typeof watchDbCalls> | undefined;
afterEach(() => watch?.stop());

/** `n` top-level comments written straight to the table (the API's create budget is 20 a minute). */
async function seedComments(postId: number, authorId: string, n: number): Promise<void> {
  const now = new Date().toISOString();
  const base = 800_000_000 + (postId % 1000) * 10_000;
  await batchWrite(
    Array.from({ length: n }, (_, i) =>
      putRequest(
        commentItem(
          { id: base + i, postId, parentId: null, rootId: null, author: { id: authorId, displayName: 'Seed', profilePhoto: null }, text: `c${i}`, mediaKey: null, mediaType: null, createdAt: now, updatedAt: now, replyCount: 0, version: 1, lastReplyId: null, reactions: {} } as never,
          'top',
        ),
      ),
    ),
  );
  await db.send(new UpdateCommand({ TableName: TABLE, Key: feedKeys.postStats(postId), UpdateExpression: 'ADD top_comment_count :n, comment_count :n', ExpressionAttributeValues: { ':n': n } }));
}

describe('bare ?page=N reads are bounded (hardening item 3)', () => {
  it('a comments page past the end is a 404 without walking the comments (list and with_comments)', async () => {
    const user = await newUser();
    const post = await createPost(user);
    await seedComments(post.id, user.id, 150);
    for (const [handler, suffix] of [[listComments, 'comments'], [withComments, 'with_comments']] as const) {
      watch = watchDbCalls();
      const response = await invokeHttp(handler, { method: 'GET', path: `/api/ventroom/posts/${post.id}/${suffix}/`, pathParameters: { post_id: String(post.id) }, query: 'page=999999999&page_size=100', user });
      watch.stop();
      expect(response.status).toBe(404);
      expect(response.body).toEqual({ detail: 'Invalid page.' });
      expect(watch.calls.filter(isWalk)).toEqual([]);
    }
    // A page that exists is still found by walking (page 2 of 100 = comments 51..150 newest first).
    const page2 = await invokeHttp(listComments, { method: 'GET', path: `/api/ventroom/posts/${post.id}/comments/`, pathParameters: { post_id: String(post.id) }, query: 'page=2&page_size=100', user });
    expect(page2.status).toBe(200);
    expect(page2.body.results).toHaveLength(50);
  });

  it(`a bare page deeper than ${MAX_WALK_ITEMS} items is a 404 without a walk, even when it exists; its cursor still reaches it`, async () => {
    const user = await newUser();
    const post = await createPost(user);
    await seedComments(post.id, user.id, MAX_WALK_ITEMS + 150);
    watch = watchDbCalls();
    const deep = await invokeHttp(listComments, { method: 'GET', path: `/api/ventroom/posts/${post.id}/comments/`, pathParameters: { post_id: String(post.id) }, query: 'page=12&page_size=100', user });
    watch.stop();
    expect(deep.status).toBe(404);
    expect(watch.calls.filter(isWalk)).toEqual([]);
    // The feed shares the rule (the walk is refused before any read).
    watch = watchDbCalls();
    const feed = await invokeHttp(listPosts, { method: 'GET', path: '/api/ventroom/posts/', query: 'page=1002&page_size=1', user });
    watch.stop();
    expect(feed.status).toBe(404);
    expect(watch.calls.filter(isWalk)).toEqual([]);
    expect(() => pageStart(pageParams({ page: '12', page_size: '100' }))).toThrow('Invalid page.');
    expect(pageStart(pageParams({ page: '11', page_size: '100' }))).toBe('walk');
    // Following links gets there: page 11's `next` cursor serves page 12.
    const page11 = await invokeHttp(listComments, { method: 'GET', path: `/api/ventroom/posts/${post.id}/comments/`, pathParameters: { post_id: String(post.id) }, query: 'page=11&page_size=100', user });
    expect(page11.status).toBe(200);
    const next = new URL(page11.body.next, "https://ventroom.test");
    const page12 = await invokeHttp(listComments, { method: 'GET', path: `/api/ventroom/posts/${post.id}/comments/`, pathParameters: { post_id: String(post.id) }, query: next.search.slice(1), user });
    expect(page12.status).toBe(200);
    expect(page12.body.results).toHaveLength(50);
  });
});
