import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { TABLE, db } from '../../lambdas/core/db.ts';
import { call, createPost, drain, newUser, type TestUser } from '../support/api.ts';
import { comment, commentsPage, getPost, inParallel, react } from '../support/comments.ts';

const REPLY_FIELDS = ['id', 'user', 'parent', 'text', 'media', 'media_type', 'created_at', 'updated_at', 'reaction_summary', 'user_reaction'];

async function remove(user: TestUser, postId: number, commentId: number) {
  const response = await call('DELETE', `/api/ventroom/posts/${postId}/comments/${commentId}/`, { user });
  expect(response.status, response.text).toBe(204);
}

/** Everything stored for a user about one post (state and comment reactions), straight from the table. */
async function userItemsOn(userId: string, postId: number): Promise<Record<string, unknown>[]> {
  const result = await db.send(
    new QueryCommand({
      TableName: TABLE,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': `USER#${userId}`, ':prefix': `P#${String(postId).padStart(12, '0')}#C#` },
      ConsistentRead: true,
    }),
  );
  return result.Items ?? [];
}

async function reactorIndex(postId: number): Promise<Record<string, unknown>[]> {
  const result = await db.send(
    new QueryCommand({
      TableName: TABLE,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': `POST#${String(postId).padStart(12, '0')}`, ':prefix': 'X#C' },
      ConsistentRead: true,
    }),
  );
  return result.Items ?? [];
}

const textsOf = (thread: { replies: { text: string }[] }) => thread.replies.map((reply) => reply.text);

describe('replies: threads nest one level and the list shows each thread\'s three oldest replies', () => {
  it('a list item carries at most three replies, the oldest, oldest first, with reply fields', async () => {
    const author = await newUser();
    const replier = await newUser();
    const post = await createPost(author);
    const root = await comment(author, post.id, 'root');
    const replies = [];
    for (const n of [1, 2, 3, 4, 5]) replies.push(await comment(replier, post.id, `reply ${n}`, root.id));
    expect(replies[0]).toMatchObject({ parent: root.id, replies: [], reaction_summary: [], user_reaction: null });

    const page = await commentsPage(replier, post.id);
    expect(page.count).toBe(1);
    expect(page.results).toHaveLength(1);
    const [thread] = page.results;
    expect(thread.id).toBe(root.id);
    expect(textsOf(thread)).toEqual(['reply 1', 'reply 2', 'reply 3']);
    for (const [i, reply] of thread.replies.entries()) {
      expect(Object.keys(reply).sort()).toEqual([...REPLY_FIELDS].sort());
      const { replies: _none, ...fields } = replies[i]!;
      expect(reply).toEqual(fields);
    }
    expect((await getPost(author, post.id)).comment_count).toBe(6);
  });

  it('a reply to a reply joins its root\'s thread and keeps the parent it named', async () => {
    const author = await newUser();
    const post = await createPost(author);
    const root = await comment(author, post.id, 'root');
    const first = await comment(author, post.id, 'first reply', root.id);
    const nested = await comment(author, post.id, 'reply to the reply', first.id);
    expect(nested.parent).toBe(first.id);
    const page = await commentsPage(author, post.id);
    expect(page.count).toBe(1);
    expect(page.results[0].replies.map((r: { id: number; parent: number }) => [r.id, r.parent])).toEqual([
      [first.id, root.id],
      [nested.id, first.id],
    ]);
    expect((await getPost(author, post.id)).comment_count).toBe(3);
  });

  it('refuses a parent on another post with a field error, and leaves the counts alone', async () => {
    const author = await newUser();
    const post = await createPost(author);
    const other = await createPost(author);
    const foreign = await comment(author, other.id, 'over there');
    const response = await call('POST', `/api/ventroom/posts/${post.id}/comments/`, { user: author, json: { text: 'x', parent: foreign.id } });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ parent: ['Parent comment must belong to the same post.'] });
    expect((await getPost(author, post.id)).comment_count).toBe(0);
    expect((await getPost(author, other.id)).comment_count).toBe(1);
  });

  it('deleting a preview reply promotes the thread\'s next-oldest reply; counts follow every delete', async () => {
    const author = await newUser();
    const post = await createPost(author);
    const root = await comment(author, post.id, 'root');
    const r = [];
    for (const n of [1, 2, 3, 4, 5]) r.push(await comment(author, post.id, `r${n}`, root.id));
    // A reaction on the reply about to be promoted travels with it.
    await react(author, 'ventcomment', r[3]!.id, '😂');

    await remove(author, post.id, r[1]!.id);
    let thread = (await commentsPage(author, post.id)).results[0];
    expect(textsOf(thread)).toEqual(['r1', 'r3', 'r4']);
    expect(thread.replies[2]).toMatchObject({ reaction_summary: [{ reaction_type: '😂', count: 1 }], user_reaction: '😂' });
    expect((await getPost(author, post.id)).comment_count).toBe(5);

    // A later (non-preview) reply goes without touching the preview.
    await remove(author, post.id, r[4]!.id);
    thread = (await commentsPage(author, post.id)).results[0];
    expect(textsOf(thread)).toEqual(['r1', 'r3', 'r4']);

    // No later reply left: the preview just shrinks.
    await remove(author, post.id, r[0]!.id);
    thread = (await commentsPage(author, post.id)).results[0];
    expect(textsOf(thread)).toEqual(['r3', 'r4']);
    expect((await getPost(author, post.id)).comment_count).toBe(3);

    // New replies fill the preview again before going after it.
    await comment(author, post.id, 'r6', root.id);
    await comment(author, post.id, 'r7', root.id);
    thread = (await commentsPage(author, post.id)).results[0];
    expect(textsOf(thread)).toEqual(['r3', 'r4', 'r6']);
    // The promoted reply can still be reacted to, edited and deleted where it lives now.
    const edited = await call('PATCH', `/api/ventroom/posts/${post.id}/comments/${r[3]!.id}/`, { user: author, json: { text: 'r4 edited' } });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ parent: root.id, replies: [], reaction_summary: [{ reaction_type: '😂', count: 1 }] });
    await react(author, 'ventcomment', r[3]!.id, '👍');
    thread = (await commentsPage(author, post.id)).results[0];
    expect(thread.replies[1]).toMatchObject({ text: 'r4 edited', reaction_summary: [{ reaction_type: '👍', count: 1 }], user_reaction: '👍' });
    expect((await getPost(author, post.id)).comment_count).toBe(5);
  });

  it('deleting a top-level comment removes its thread, every reaction on it and the counts', async () => {
    const author = await newUser();
    const fans = await Promise.all([newUser(), newUser()]);
    const post = await createPost(author);
    const keep = await comment(author, post.id, 'stays');
    const root = await comment(author, post.id, 'goes');
    const replies = [];
    for (const n of [1, 2, 3, 4]) replies.push(await comment(fans[n % 2]!, post.id, `reply ${n}`, root.id));
    for (const fan of fans) {
      await react(fan, 'ventcomment', root.id, '❤️');
      await react(fan, 'ventcomment', replies[3]!.id, '😢');
      await react(fan, 'ventcomment', keep.id, '👍');
    }
    expect((await getPost(author, post.id)).comment_count).toBe(6);
    expect(await userItemsOn(fans[0]!.id, post.id)).toHaveLength(3);

    await remove(author, post.id, root.id);
    const page = await commentsPage(author, post.id);
    expect(page.count).toBe(1);
    expect(page.results.map((c) => c.id)).toEqual([keep.id]);
    expect((await getPost(author, post.id)).comment_count).toBe(1);
    for (const reply of replies) {
      expect((await call('PATCH', `/api/ventroom/posts/${post.id}/comments/${reply.id}/`, { user: fans[0]!, json: { text: 'x' } })).status).toBe(404);
    }
    const late = await call('POST', '/api/ventroom/reactions/', { user: fans[0]!, json: { content_type: 'ventcomment', object_id: replies[0]!.id, reaction_type: '👍' } });
    expect(late.status).toBe(404);
    const orphan = await call('POST', `/api/ventroom/posts/${post.id}/comments/`, { user: author, json: { text: 'too late', parent: root.id } });
    expect(orphan.body).toEqual({ parent: [`Invalid pk "${root.id}" - object does not exist.`] });

    await drain();
    for (const fan of fans) {
      const left = await userItemsOn(fan.id, post.id);
      expect(left.map((item) => item.reaction)).toEqual(['👍']);
    }
    const index = await reactorIndex(post.id);
    expect(index).toHaveLength(2);
    expect(new Set(index.map((item) => item.user_id))).toEqual(new Set(fans.map((fan) => fan.id)));
  });

  it('a thread too big for one transaction is deleted in chunks with exact counts', async () => {
    const author = await newUser();
    const repliers = await Promise.all([newUser(), newUser(), newUser()]);
    const post = await createPost(author);
    const root = await comment(author, post.id, 'big thread');
    const other = await comment(author, post.id, 'neighbour');
    await comment(author, post.id, 'neighbour reply', other.id);
    await inParallel(Array.from({ length: 52 }, (_, n) => () => comment(repliers[n % 3]!, post.id, `reply ${n}`, root.id)), 6);
    expect((await getPost(author, post.id)).comment_count).toBe(55);
    const thread = (await commentsPage(author, post.id)).results.find((c) => c.id === root.id);
    expect(thread.replies).toHaveLength(3);
    // Ids follow commit order, so the preview is exactly the three smallest reply ids.
    expect(thread.replies.map((r: { id: number }) => r.id)).toEqual([...thread.replies.map((r: { id: number }) => r.id)].sort((a, b) => a - b));

    await remove(author, post.id, root.id);
    const page = await commentsPage(author, post.id);
    expect(page.count).toBe(1);
    expect(page.results[0].replies.map((r: { text: string }) => r.text)).toEqual(['neighbour reply']);
    expect((await getPost(author, post.id)).comment_count).toBe(2);
  });
});

describe('comments pagination: like the feed (default 20, max 100, cursor links)', () => {
  it('pages newest first through next/previous links, and a bare ?page=N finds the same page', async () => {
    const author = await newUser();
    const writers = await Promise.all([newUser(), newUser(), newUser()]);
    const post = await createPost(author);
    const created = await inParallel(Array.from({ length: 45 }, (_, n) => () => comment(writers[n % 3]!, post.id, `c${n}`)), 6);
    const newestFirst = created.map((c) => c.id).sort((a, b) => b - a);

    const first = await commentsPage(author, post.id);
    expect(first.count).toBe(45);
    expect(first.previous).toBeNull();
    expect(first.results.map((c) => c.id)).toEqual(newestFirst.slice(0, 20));
    expect(first.next).toMatch(new RegExp(`/api/ventroom/posts/${post.id}/comments/\\?page=2&cursor=`));

    const second = (await call('GET', first.next!, { user: author })).body;
    expect(second.results.map((c: { id: number }) => c.id)).toEqual(newestFirst.slice(20, 40));
    expect(second.previous).toBe(`${new URL(first.next!).origin}/api/ventroom/posts/${post.id}/comments/`);
    const third = (await call('GET', second.next, { user: author })).body;
    expect(third.results.map((c: { id: number }) => c.id)).toEqual(newestFirst.slice(40));
    expect(third.next).toBeNull();
    expect(third.previous).toMatch(/page=2&cursor=/);
    const back = (await call('GET', third.previous, { user: author })).body;
    expect(back).toEqual(second);

    for (const page of [2, 3]) {
      const bare = await commentsPage(author, post.id, `?page=${page}`);
      expect(bare.results).toEqual(page === 2 ? second.results : third.results);
    }
    const sized = await commentsPage(author, post.id, '?page_size=7&page=3');
    expect(sized.results.map((c) => c.id)).toEqual(newestFirst.slice(14, 21));
    expect(sized.next).toMatch(/page_size=7&page=4&cursor=/);
    const capped = await commentsPage(author, post.id, '?page_size=1000');
    expect(capped.results).toHaveLength(45);
    expect(capped.next).toBeNull();

    const past = await call('GET', `/api/ventroom/posts/${post.id}/comments/?page=4`, { user: author });
    expect(past.status).toBe(404);
    expect(past.body).toEqual({ detail: 'Invalid page.' });

    const combined = (await call('GET', `/api/ventroom/posts/${post.id}/with_comments/?page_size=10`, { user: author })).body;
    expect(combined.comments.results.map((c: { id: number }) => c.id)).toEqual(newestFirst.slice(0, 10));
    expect(combined.comments.next).toMatch(new RegExp(`/api/ventroom/posts/${post.id}/with_comments/\\?page_size=10&page=2&cursor=`));
    const combinedNext = (await call('GET', combined.comments.next, { user: author })).body;
    expect(combinedNext.post.id).toBe(post.id);
    expect(combinedNext.comments.results.map((c: { id: number }) => c.id)).toEqual(newestFirst.slice(10, 20));
  });
});
