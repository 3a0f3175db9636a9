import { describe, expect, it } from 'vitest';
import { call, createPost, newUser } from '../support/api.ts';
import { comment, commentsPage, getPost, react, settle } from '../support/comments.ts';
import { WsClient } from '../support/ws.ts';

const REACTIONS = '/api/ventroom/reactions/';

describe('reactions: validation with the spec\'s exact messages', () => {
  it('answers 400 field errors and 404 for unknown objects', async () => {
    const user = await newUser();
    const post = await createPost(user);
    const send = (json: unknown) => call('POST', REACTIONS, { user, json });
    const missing = await send({});
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({
      content_type: ['This field is required.'],
      object_id: ['This field is required.'],
      reaction_type: ['This field is required.'],
    });
    expect((await send({ content_type: 'ventphoto', object_id: post.id, reaction_type: '👍' })).body).toEqual({
      content_type: ["Invalid content type. Must be 'ventpost' or 'ventcomment'."],
    });
    expect((await send({ content_type: 'ventpost', object_id: post.id, reaction_type: 'x' })).body).toEqual({ reaction_type: ['"x" is not a valid choice.'] });
    expect((await send({ content_type: 'ventpost', object_id: post.id, reaction_type: '👎' })).body).toEqual({ reaction_type: ['"👎" is not a valid choice.'] });
    expect((await send({ content_type: 'ventpost', object_id: 'one', reaction_type: '👍' })).body).toEqual({ object_id: ['A valid integer is required.'] });
    expect((await send({ content_type: 'ventpost', object_id: 1.5, reaction_type: '👍' })).body).toEqual({ object_id: ['A valid integer is required.'] });
    expect((await send({ content_type: null, object_id: post.id, reaction_type: '👍' })).body).toEqual({ content_type: ['This field may not be null.'] });
    for (const content_type of ['ventpost', 'ventcomment']) {
      const unknown = await send({ content_type, object_id: 999_999_999, reaction_type: '👍' });
      expect(unknown.status).toBe(404);
      expect(unknown.body).toEqual({ detail: 'Not found.' });
    }
    expect((await call('POST', REACTIONS, { json: { content_type: 'ventpost', object_id: post.id, reaction_type: '👍' } })).status).toBe(401);
    expect((await getPost(user, post.id)).reaction_summary).toEqual([]);
  });
});

describe('reactions: one per user per object', () => {
  it('echoes 201; a new type replaces the old one; the same type again changes nothing', async () => {
    const owner = await newUser();
    const fan = await newUser();
    const post = await createPost(owner);
    const created = await call('POST', REACTIONS, { user: fan, json: { content_type: 'ventpost', object_id: post.id, reaction_type: '👍' } });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ content_type: 'ventpost', object_id: post.id, reaction_type: '👍' });
    await react(owner, 'ventpost', post.id, '👍');
    expect(await getPost(fan, post.id)).toMatchObject({ reaction_summary: [{ reaction_type: '👍', count: 2 }], user_reaction: '👍' });

    await react(fan, 'ventpost', post.id, '😢');
    expect(await getPost(fan, post.id)).toMatchObject({
      reaction_summary: [
        { reaction_type: '👍', count: 1 },
        { reaction_type: '😢', count: 1 },
      ],
      user_reaction: '😢',
    });
    const again = await call('POST', REACTIONS, { user: fan, json: { content_type: 'ventpost', object_id: String(post.id), reaction_type: '😢' } });
    expect(again.status).toBe(201);
    expect((await getPost(owner, post.id)).reaction_summary).toEqual([
      { reaction_type: '👍', count: 1 },
      { reaction_type: '😢', count: 1 },
    ]);
    expect((await getPost(owner, post.id)).user_reaction).toBe('👍');
  });

  it('takes ❤ with or without U+FE0F and stores and answers the documented ❤️', async () => {
    const user = await newUser();
    const post = await createPost(user);
    const bare = await call('POST', REACTIONS, { user, json: { content_type: 'ventpost', object_id: post.id, reaction_type: '\u2764' } });
    expect(bare.status).toBe(201);
    expect(bare.body.reaction_type).toBe('\u2764\uFE0F');
    expect(await getPost(user, post.id)).toMatchObject({ reaction_summary: [{ reaction_type: '\u2764\uFE0F', count: 1 }], user_reaction: '\u2764\uFE0F' });
    // Both spellings are the same reaction: no double count.
    await react(user, 'ventpost', post.id, '\u2764\uFE0F');
    expect((await getPost(user, post.id)).reaction_summary).toEqual([{ reaction_type: '❤️', count: 1 }]);
    const form = await call('POST', REACTIONS, {
      user,
      body: new URLSearchParams({ content_type: 'ventpost', object_id: String(post.id), reaction_type: '😂' }),
    });
    expect(form.status).toBe(201);
    expect((await getPost(user, post.id)).reaction_summary).toEqual([{ reaction_type: '😂', count: 1 }]);
  });

  it('comment reactions show in the list, with each reader\'s own user_reaction', async () => {
    const author = await newUser();
    const fan = await newUser();
    const post = await createPost(author);
    const root = await comment(author, post.id, 'root');
    const reply = await comment(author, post.id, 'reply', root.id);
    await react(fan, 'ventcomment', root.id, '❤️');
    await react(author, 'ventcomment', root.id, '❤️');
    await react(fan, 'ventcomment', reply.id, '😂');
    await react(fan, 'ventpost', post.id, '👍');
    const mine = (await commentsPage(fan, post.id)).results[0];
    expect(mine).toMatchObject({ reaction_summary: [{ reaction_type: '❤️', count: 2 }], user_reaction: '❤️' });
    expect(mine.replies[0]).toMatchObject({ reaction_summary: [{ reaction_type: '😂', count: 1 }], user_reaction: '😂' });
    const theirs = (await commentsPage(await newUser(), post.id)).results[0];
    expect(theirs.user_reaction).toBeNull();
    expect(theirs.replies[0].user_reaction).toBeNull();
    // The comment reactions leave the post's own reactions alone.
    const both = (await call('GET', `/api/ventroom/posts/${post.id}/with_comments/`, { user: fan })).body;
    expect(both.post).toMatchObject({ reaction_summary: [{ reaction_type: '👍', count: 1 }], user_reaction: '👍' });
  });

  it('DELETE removes the caller\'s reaction (body or query string), idempotently', async () => {
    const user = await newUser();
    const post = await createPost(user);
    const target = await comment(user, post.id, 'react to me');
    await react(user, 'ventpost', post.id, '👍');
    await react(user, 'ventcomment', target.id, '😢');
    const removed = await call('DELETE', REACTIONS, { user, json: { content_type: 'ventpost', object_id: post.id } });
    expect(removed.status).toBe(204);
    expect(await getPost(user, post.id)).toMatchObject({ reaction_summary: [], user_reaction: null });
    expect((await call('DELETE', REACTIONS, { user, json: { content_type: 'ventpost', object_id: post.id } })).status).toBe(204);
    expect((await call('DELETE', `${REACTIONS}?content_type=ventcomment&object_id=${target.id}`, { user })).status).toBe(204);
    expect((await commentsPage(user, post.id)).results[0]).toMatchObject({ reaction_summary: [], user_reaction: null });
    expect((await call('DELETE', REACTIONS, { user, json: { content_type: 'ventcomment', object_id: 999_999_999 } })).status).toBe(404);
    expect((await call('DELETE', REACTIONS, { user, json: { content_type: 'x' } })).body).toEqual({
      content_type: ["Invalid content type. Must be 'ventpost' or 'ventcomment'."],
      object_id: ['This field is required.'],
    });
    // Reacting again after a removal counts from zero.
    await react(user, 'ventpost', post.id, '😂');
    expect((await getPost(user, post.id)).reaction_summary).toEqual([{ reaction_type: '😂', count: 1 }]);
  });
});

describe('reactions: events reach exactly their audiences', () => {
  it('post reaction: post group and reactor get ventroom_reaction_updated once, the owner new_reaction_on_user_post', async () => {
    const owner = await newUser();
    const reactor = await newUser();
    const post = await createPost(owner);
    const ownerWs = await WsClient.connect(owner);
    const reactorWs = await WsClient.connect(reactor);
    const watcher = await WsClient.connect(await newUser());
    const bystander = await WsClient.connect(await newUser());
    await watcher.request({ type: 'join_ventroom_post', data: { post_id: post.id } }, 'ventroom_post_joined');
    // The reactor is on the post's page too: in both target groups, it must still get one copy.
    await reactorWs.request({ type: 'join_ventroom_post', data: { post_id: post.id } }, 'ventroom_post_joined');
    await bystander.request({ type: 'join_ventroom' }, 'ventroom_joined');

    await react(owner, 'ventpost', post.id, '❤️');
    await react(reactor, 'ventpost', post.id, '👍');
    const about = (m: { data: any }) => m.data.object_id === post.id && m.data.user_id === reactor.id;
    const expected = {
      content_type: 'ventpost',
      object_id: post.id,
      reaction_summary: [
        { reaction_type: '👍', count: 1 },
        { reaction_type: '❤️', count: 1 },
      ],
      user_reaction: '👍',
      user_id: reactor.id,
    };
    expect((await watcher.next('ventroom_reaction_updated', about)).data).toEqual(expected);
    expect((await reactorWs.next('ventroom_reaction_updated', about)).data).toEqual(expected);
    expect((await ownerWs.next('new_reaction_on_user_post', about)).data).toEqual(expected);
    // The same type again is a no-op: nothing more is said.
    await react(reactor, 'ventpost', post.id, '👍');
    await settle();
    expect(reactorWs.count('ventroom_reaction_updated', about)).toBe(1);
    expect(watcher.count('ventroom_reaction_updated', about)).toBe(1);
    expect(ownerWs.count('new_reaction_on_user_post', about)).toBe(1);
    // The owner's own reaction: reaction_updated to the owner (as reactor), no "someone reacted" to themselves.
    expect(ownerWs.count('new_reaction_on_user_post', (m) => m.data.user_id === owner.id)).toBe(0);
    expect(ownerWs.count('ventroom_reaction_updated', (m) => m.data.user_id === owner.id)).toBe(1);
    expect(ownerWs.count('ventroom_reaction_updated', about)).toBe(0);
    for (const type of ['ventroom_reaction_updated', 'new_reaction_on_user_post']) expect(bystander.count(type)).toBe(0);
    await Promise.all([ownerWs, reactorWs, watcher, bystander].map((client) => client.close()));
  });

  it('comment reaction: the comment\'s post group hears it, the comment owner gets new_reaction_on_user_comment', async () => {
    const postOwner = await newUser();
    const commenter = await newUser();
    const reactor = await newUser();
    const post = await createPost(postOwner);
    const target = await comment(commenter, post.id, 'react here');
    const commenterWs = await WsClient.connect(commenter);
    const postOwnerWs = await WsClient.connect(postOwner);
    const reactorWs = await WsClient.connect(reactor);
    const watcher = await WsClient.connect(await newUser());
    await watcher.request({ type: 'join_ventroom_post', data: { post_id: post.id } }, 'ventroom_post_joined');

    await react(reactor, 'ventcomment', target.id, '😂');
    const expected = {
      content_type: 'ventcomment',
      object_id: target.id,
      reaction_summary: [{ reaction_type: '😂', count: 1 }],
      user_reaction: '😂',
      user_id: reactor.id,
    };
    expect((await watcher.next('ventroom_reaction_updated')).data).toEqual(expected);
    expect((await reactorWs.next('ventroom_reaction_updated')).data).toEqual(expected);
    expect((await commenterWs.next('new_reaction_on_user_comment')).data).toEqual(expected);

    // A removal is announced with user_reaction null, and never as "someone reacted to your comment".
    expect((await call('DELETE', REACTIONS, { user: reactor, json: { content_type: 'ventcomment', object_id: target.id } })).status).toBe(204);
    const removed = await watcher.next('ventroom_reaction_updated', (m) => m.data.user_reaction === null);
    expect(removed.data).toEqual({ ...expected, reaction_summary: [], user_reaction: null });
    await settle();
    expect(commenterWs.count('new_reaction_on_user_comment')).toBe(1);
    expect(commenterWs.count('ventroom_reaction_updated')).toBe(0);
    expect(postOwnerWs.received.filter((m) => m.type.includes('reaction'))).toEqual([]);
    await Promise.all([commenterWs, postOwnerWs, reactorWs, watcher].map((client) => client.close()));
  });
});
