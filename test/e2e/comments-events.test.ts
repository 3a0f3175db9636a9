import { describe, expect, it } from 'vitest';
import { call, createPost, drain, newUser, type TestUser } from '../support/api.ts';
import { comment, settle } from '../support/comments.ts';
import { WsClient } from '../support/ws.ts';

const COMMENT_EVENTS = ['new_ventroom_comment', 'new_comment_on_user_post', 'new_reply_on_user_comment', 'ventroom_comment_updated', 'ventroom_comment_deleted'];

async function watching(user: TestUser, postId: number): Promise<WsClient> {
  const client = await WsClient.connect(user);
  await client.request({ type: 'join_ventroom_post', data: { post_id: postId } }, 'ventroom_post_joined');
  return client;
}

/**
 * Every comment event a client got, as [type, comment id] pairs in a stable order: events of
 * different requests travel as different queue messages and may overtake each other.
 */
const heard = (client: WsClient) =>
  client.received
    .filter((m) => COMMENT_EVENTS.includes(m.type))
    .map((m) => [m.type, m.data.id ?? m.data.comment_id])
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

const sorted = (events: [string, number][]) => [...events].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

describe('comment events: each audience once, nobody else, never a notice about oneself', () => {
  it('a comment on someone else\'s post: post group and author get it once, the post owner a notice', async () => {
    const owner = await newUser();
    const commenter = await newUser();
    const post = await createPost(owner);
    const ownerWs = await WsClient.connect(owner);
    // The commenter is on the post's page and in their own user group: one copy all the same.
    const commenterWs = await watching(commenter, post.id);
    const watcher = await watching(await newUser(), post.id);
    const feed = await WsClient.connect(await newUser());
    await feed.request({ type: 'join_ventroom' }, 'ventroom_joined');

    const created = await comment(commenter, post.id, 'This is my comment on the post');
    expect((await watcher.next('new_ventroom_comment')).data).toEqual(created);
    expect((await commenterWs.next('new_ventroom_comment')).data).toEqual(created);
    expect((await ownerWs.next('new_comment_on_user_post')).data).toEqual(created);
    await settle();
    expect(heard(watcher)).toEqual(sorted([['new_ventroom_comment', created.id]]));
    expect(heard(commenterWs)).toEqual(sorted([['new_ventroom_comment', created.id]]));
    expect(heard(ownerWs)).toEqual(sorted([['new_comment_on_user_post', created.id]]));
    expect(heard(feed)).toEqual([]);

    // The owner commenting on their own post hears it as its author, with no notice to themselves.
    const own = await comment(owner, post.id, 'thanks');
    await ownerWs.next('new_ventroom_comment', (m) => m.data.id === own.id);
    await watcher.next('new_ventroom_comment', (m) => m.data.id === own.id);
    await settle();
    expect(heard(ownerWs)).toEqual(
      sorted([
        ['new_comment_on_user_post', created.id],
        ['new_ventroom_comment', own.id],
      ]),
    );
    expect(heard(commenterWs)).toEqual(sorted([['new_ventroom_comment', created.id], ['new_ventroom_comment', own.id]]));
    await Promise.all([ownerWs, commenterWs, watcher, feed].map((client) => client.close()));
  });

  it('a reply: the parent\'s owner gets new_reply_on_user_comment, the post owner new_comment_on_user_post, each once', async () => {
    const owner = await newUser();
    const commenter = await newUser();
    const replier = await newUser();
    const post = await createPost(owner);
    const parent = await comment(commenter, post.id, 'parent');
    // The parent's own creation event is delivered before its author connects: it must not count here.
    await drain();
    const [ownerWs, commenterWs, replierWs] = await Promise.all([WsClient.connect(owner), WsClient.connect(commenter), WsClient.connect(replier)]);

    const reply = await comment(replier, post.id, 'This is a reply', parent.id);
    expect(reply.parent).toBe(parent.id);
    expect((await commenterWs.next('new_reply_on_user_comment')).data).toEqual(reply);
    expect((await ownerWs.next('new_comment_on_user_post')).data).toEqual(reply);
    expect((await replierWs.next('new_ventroom_comment')).data).toEqual(reply);

    // Replying to one's own comment: no reply notice to oneself; the post owner still hears of it.
    const selfReply = await comment(commenter, post.id, 'adding to my own', parent.id);
    await ownerWs.next('new_comment_on_user_post', (m) => m.data.id === selfReply.id);
    // The post owner replying to a comment: its owner is told, the post owner is not told about themselves.
    const ownerReply = await comment(owner, post.id, 'owner answers', parent.id);
    await commenterWs.next('new_reply_on_user_comment', (m) => m.data.id === ownerReply.id);
    // Someone replying to the post owner's comment: ONE notice for the owner (as the parent's owner).
    const ownerComment = await comment(owner, post.id, 'owner speaks');
    const toOwner = await comment(replier, post.id, 'answering the owner', ownerComment.id);
    await ownerWs.next('new_reply_on_user_comment', (m) => m.data.id === toOwner.id);
    await settle();
    expect(heard(commenterWs)).toEqual(
      sorted([
        ['new_reply_on_user_comment', reply.id],
        ['new_ventroom_comment', selfReply.id],
        ['new_reply_on_user_comment', ownerReply.id],
      ]),
    );
    expect(heard(ownerWs)).toEqual(
      sorted([
        ['new_comment_on_user_post', reply.id],
        ['new_comment_on_user_post', selfReply.id],
        ['new_ventroom_comment', ownerReply.id],
        ['new_ventroom_comment', ownerComment.id],
        ['new_reply_on_user_comment', toOwner.id],
      ]),
    );
    expect(heard(replierWs)).toEqual(
      sorted([
        ['new_ventroom_comment', reply.id],
        ['new_ventroom_comment', toOwner.id],
      ]),
    );
    await Promise.all([ownerWs, commenterWs, replierWs].map((client) => client.close()));
  });

  it('updates and deletes go to the post group only', async () => {
    const owner = await newUser();
    const author = await newUser();
    const post = await createPost(owner);
    const target = await comment(author, post.id, 'original');
    // The creation's own event is delivered before anyone joins: the watcher hears only what follows.
    await drain();
    const watcher = await watching(await newUser(), post.id);
    const [ownerWs, authorWs] = await Promise.all([WsClient.connect(owner), WsClient.connect(author)]);
    const elsewhere = await watching(await newUser(), (await createPost(owner)).id);

    const updated = await call('PATCH', `/api/ventroom/posts/${post.id}/comments/${target.id}/`, { user: author, json: { text: 'Updated comment text' } });
    expect((await watcher.next('ventroom_comment_updated')).data).toEqual(updated.body);
    expect((await call('DELETE', `/api/ventroom/posts/${post.id}/comments/${target.id}/`, { user: author })).status).toBe(204);
    expect((await watcher.next('ventroom_comment_deleted')).data).toEqual({ comment_id: target.id, post_id: post.id });
    await settle();
    expect(heard(watcher)).toEqual(
      sorted([
        ['ventroom_comment_updated', target.id],
        ['ventroom_comment_deleted', target.id],
      ]),
    );
    for (const client of [ownerWs, authorWs, elsewhere]) expect(heard(client)).toEqual([]);
    await Promise.all([watcher, ownerWs, authorWs, elsewhere].map((client) => client.close()));
  });
});
