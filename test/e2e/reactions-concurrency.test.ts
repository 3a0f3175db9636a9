import { describe, expect, it } from 'vitest';
import { REACTION_TYPES } from '../../lambdas/core/reactions.ts';
import { threadReplies } from '../../lambdas/repositories/comments.ts';
import { call, createPost, newUser, type TestUser } from '../support/api.ts';
import { comment, commentsPage, getPost, inParallel, react } from '../support/comments.ts';

function expectedSummary(choices: string[]) {
  const counts = new Map<string, number>();
  for (const choice of choices) counts.set(choice, (counts.get(choice) ?? 0) + 1);
  return REACTION_TYPES.filter((type) => counts.has(type))
    .map((type) => ({ reaction_type: type, count: counts.get(type)! }))
    .sort((a, b) => b.count - a.count || REACTION_TYPES.indexOf(a.reaction_type) - REACTION_TYPES.indexOf(b.reaction_type));
}

describe('concurrency: counters never drift', () => {
  it('50 users reacting at once, then all changing at once (plus repeats): reaction_summary exact', async () => {
    const owner = await newUser();
    const post = await createPost(owner);
    const target = await comment(owner, post.id, 'popular comment');
    const users: TestUser[] = await inParallel(Array.from({ length: 50 }, () => () => newUser()), 10);
    const first = users.map((_, i) => REACTION_TYPES[i % 4]!);
    const second = users.map((_, i) => REACTION_TYPES[(i * 7 + 1) % 4]!);

    // Every user reacts to the post and the comment at once, and re-sends half of them (a client retry).
    await inParallel(
      users.flatMap((user, i) => [
        () => react(user, 'ventpost', post.id, first[i]!),
        () => react(user, 'ventcomment', target.id, first[i]!),
        ...(i % 2 ? [() => react(user, 'ventpost', post.id, first[i]!)] : []),
      ]),
      50,
    );
    expect((await getPost(owner, post.id)).reaction_summary).toEqual(expectedSummary(first));
    expect((await commentsPage(owner, post.id)).results[0].reaction_summary).toEqual(expectedSummary(first));

    // Then all of them change at once; a fifth also removes theirs from the post.
    await inParallel(
      users.flatMap((user, i) => [
        () => react(user, 'ventpost', post.id, second[i]!),
        () => react(user, 'ventcomment', target.id, second[i]!),
      ]),
      50,
    );
    const removers = users.filter((_, i) => i % 5 === 0);
    await inParallel(
      removers.map((user) => async () => {
        const response = await call('DELETE', '/api/ventroom/reactions/', { user, json: { content_type: 'ventpost', object_id: post.id } });
        expect(response.status).toBe(204);
      }),
      50,
    );
    const onPost = second.filter((_, i) => i % 5 !== 0);
    expect((await getPost(owner, post.id)).reaction_summary).toEqual(expectedSummary(onPost));
    expect((await commentsPage(owner, post.id)).results[0].reaction_summary).toEqual(expectedSummary(second));
    expect((await getPost(users[1]!, post.id)).user_reaction).toBe(second[1]);
    expect((await getPost(users[0]!, post.id)).user_reaction).toBeNull();
  }, 120_000);

  it('concurrent comment creates, replies and deletes keep comment_count and the list count exact', async () => {
    const owner = await newUser();
    const post = await createPost(owner);
    const writers: TestUser[] = await inParallel(Array.from({ length: 8 }, () => () => newUser()), 8);
    const root = await comment(owner, post.id, 'root');
    const doomed = await inParallel(Array.from({ length: 10 }, (_, i) => () => comment(writers[i % 8]!, post.id, `doomed ${i}`)), 10);
    const doomedReplies = await inParallel(Array.from({ length: 6 }, (_, i) => () => comment(writers[i]!, post.id, `doomed reply ${i}`, root.id)), 6);
    const before = (await getPost(owner, post.id)).comment_count;
    expect(before).toBe(17);

    const outcomes = await inParallel(
      [
        ...Array.from({ length: 24 }, (_, i) => () => comment(writers[i % 8]!, post.id, `new ${i}`).then(() => 'top')),
        ...Array.from({ length: 24 }, (_, i) => () => comment(writers[i % 8]!, post.id, `reply ${i}`, root.id).then(() => 'reply')),
        ...doomed.map((c, i) => async () => {
          const response = await call('DELETE', `/api/ventroom/posts/${post.id}/comments/${c.id}/`, { user: writers[i % 8]! });
          expect(response.status).toBe(204);
          return 'deleted-top';
        }),
        ...doomedReplies.map((c, i) => async () => {
          const response = await call('DELETE', `/api/ventroom/posts/${post.id}/comments/${c.id}/`, { user: writers[i]! });
          expect(response.status).toBe(204);
          return 'deleted-reply';
        }),
      ],
      40,
    );
    expect(outcomes.filter((o) => o.startsWith('deleted'))).toHaveLength(16);
    const post2 = await getPost(owner, post.id);
    expect(post2.comment_count).toBe(17 + 48 - 16);
    const everything = await commentsPage(owner, post.id, '?page_size=100');
    expect(everything.count).toBe(1 + 24);
    expect(everything.results).toHaveLength(25);
    const thread = everything.results.find((c) => c.id === root.id);
    // 24 surviving replies; the preview is the three oldest of them.
    expect(thread.replies).toHaveLength(3);
    const previewIds = thread.replies.map((r: { id: number }) => r.id);
    expect(previewIds).toEqual([...previewIds].sort((a, b) => a - b));
    const stored = await threadReplies(post.id, root.id);
    expect(stored).toHaveLength(24);
    expect(stored.filter((reply) => reply.location.placement === 'preview').map((reply) => reply.comment.id)).toEqual(previewIds);
    expect(stored.slice(0, 3).map((reply) => reply.comment.id)).toEqual(previewIds);
  }, 120_000);

  it('reactions racing the promotion of the replies they target are never lost', async () => {
    const owner = await newUser();
    const post = await createPost(owner);
    const root = await comment(owner, post.id, 'root');
    const replies = [];
    for (let n = 0; n < 12; n++) replies.push(await comment(owner, post.id, `reply ${n}`, root.id));
    const [previews, later] = [replies.slice(0, 3), replies.slice(3)];
    const fans: TestUser[] = await inParallel(Array.from({ length: 8 }, () => () => newUser()), 8);

    // Every preview reply goes (each delete promotes the next-oldest later reply) while every fan
    // reacts to every later reply: some reactions land on a reply while it is being copied.
    await inParallel(
      [
        ...previews.map((reply) => async () => {
          const response = await call('DELETE', `/api/ventroom/posts/${post.id}/comments/${reply.id}/`, { user: owner });
          expect(response.status).toBe(204);
        }),
        ...fans.flatMap((fan) => later.map((reply) => () => react(fan, 'ventcomment', reply.id, '😂'))),
      ],
      40,
    );
    const stored = await threadReplies(post.id, root.id);
    expect(stored.map((reply) => reply.comment.id)).toEqual(later.map((reply) => reply.id));
    expect(stored.map((reply) => reply.location.placement)).toEqual(later.map((_, i) => (i < 3 ? 'preview' : 'later')));
    for (const reply of stored) expect(reply.comment.reactions).toEqual({ '😂': fans.length });
    const thread = (await commentsPage(fans[0]!, post.id)).results[0];
    expect(thread.replies.map((reply: { id: number; reaction_summary: unknown; user_reaction: string }) => [reply.id, reply.reaction_summary, reply.user_reaction])).toEqual(
      later.slice(0, 3).map((reply) => [reply.id, [{ reaction_type: '😂', count: fans.length }], '😂']),
    );
    expect((await getPost(owner, post.id)).comment_count).toBe(1 + later.length);
  }, 120_000);
});
