import { describe, expect, it } from 'vitest';
import { groups } from '../../lambdas/core/groups.ts';
import { publish } from '../../lambdas/core/broadcast.ts';
import { connectionUser, groupConnections, joinGroup, saveConnection } from '../../lambdas/repositories/connections.ts';
import { call, createPost, drain, newUser } from '../support/api.ts';
import { WsClient } from '../support/ws.ts';

const about = (postId: number) => (m: { data: any }) => m.data?.id === postId || m.data?.post_id === postId;
const settle = (ms = 1500) => new Promise((resolve) => setTimeout(resolve, ms));

async function members(group: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const page of groupConnections(group)) ids.push(...page);
  return ids;
}

describe('broadcast: post events reach exactly their audiences', () => {
  it('a feed member receives new_ventroom_post from another user; the creator gets it without joining', async () => {
    const reader = await newUser();
    const author = await newUser();
    const feed = await WsClient.connect(reader);
    await feed.request({ type: 'join_ventroom' }, 'ventroom_joined');
    const own = await WsClient.connect(author);
    const post = await createPost(author, { title: 'Live', content: 'hello feed' });
    const seen = await feed.next('new_ventroom_post', about(post.id));
    expect(seen.data).toEqual(post);
    expect(typeof seen.id).toBe('string');
    const mine = await own.next('new_ventroom_post', about(post.id));
    expect(mine.data).toEqual(post);
    await Promise.all([feed.close(), own.close()]);
  });

  it('after leave_ventroom nothing more arrives', async () => {
    const reader = await newUser();
    const author = await newUser();
    const client = await WsClient.connect(reader);
    await client.request({ type: 'join_ventroom' }, 'ventroom_joined');
    const before = await createPost(author);
    await client.next('new_ventroom_post', about(before.id));
    const [connectionId] = await members(groups.user(reader.id));
    client.send({ type: 'leave_ventroom' });
    await expect.poll(() => members(groups.feed)).not.toContain(connectionId);
    const after = await createPost(author);
    // A feed member that stayed proves the event went out; the one that left must not get it.
    const witness = await WsClient.connect(await newUser());
    await witness.request({ type: 'join_ventroom' }, 'ventroom_joined');
    const later = await createPost(author);
    await witness.next('new_ventroom_post', about(later.id));
    expect(client.count('new_ventroom_post', about(after.id))).toBe(0);
    expect(client.count('new_ventroom_post', about(later.id))).toBe(0);
    await Promise.all([client.close(), witness.close()]);
  });

  it('update and delete reach post-group members and feed members', async () => {
    const author = await newUser();
    const post = await createPost(author);
    const watcher = await WsClient.connect(await newUser());
    await watcher.request({ type: 'join_ventroom_post', data: { post_id: post.id } }, 'ventroom_post_joined');
    const feed = await WsClient.connect(await newUser());
    await feed.request({ type: 'join_ventroom' }, 'ventroom_joined');
    const updated = await call('PATCH', `/api/ventroom/posts/${post.id}/`, { user: author, json: { title: 'Edited' } });
    expect(updated.status).toBe(200);
    for (const client of [watcher, feed]) {
      const event = await client.next('ventroom_post_updated', about(post.id));
      expect(event.data).toEqual(updated.body);
    }
    expect((await call('DELETE', `/api/ventroom/posts/${post.id}/`, { user: author })).status).toBe(204);
    for (const client of [watcher, feed]) {
      const event = await client.next('ventroom_post_deleted', about(post.id));
      expect(event.data).toEqual({ post_id: post.id });
    }
    await Promise.all([watcher.close(), feed.close()]);
  });

  it('every connection of a user receives user-group events; one in two target groups receives it once', async () => {
    const author = await newUser();
    const phone = await WsClient.connect(author);
    const tablet = await WsClient.connect(author);
    await tablet.request({ type: 'join_ventroom' }, 'ventroom_joined');
    const post = await createPost(author);
    await phone.next('new_ventroom_post', about(post.id));
    await tablet.next('new_ventroom_post', about(post.id));
    await settle();
    expect(phone.count('new_ventroom_post', about(post.id))).toBe(1);
    // The tablet is in ventroom_feed AND user_<id>: still one copy.
    expect(tablet.count('new_ventroom_post', about(post.id))).toBe(1);
    await Promise.all([phone.close(), tablet.close()]);
  });

  it('a connection that vanished without $disconnect is removed on the first 410', async () => {
    const ghost = 'GhostConnAAAAA=';
    // Connected a minute ago: old enough that a 410 means it is gone, not still connecting.
    await saveConnection(ghost, 'ghost-user', groups.user('ghost-user'), Date.now() - 60_000);
    const meta = await connectionUser(ghost);
    await joinGroup(ghost, groups.feed, 'ghost-user', meta!.ttl);
    expect(await members(groups.feed)).toContain(ghost);
    await publish({ type: 'probe', data: {}, audiences: [groups.feed] });
    await expect.poll(() => members(groups.feed), { timeout: 10_000 }).not.toContain(ghost);
    await expect.poll(() => members(groups.user('ghost-user'))).toEqual([]);
    await expect.poll(() => connectionUser(ghost)).toBeUndefined();
  });
});

describe('broadcast: a connection still connecting', () => {
  it('answers 410 without being forgotten: its $connect stored it a moment ago', async () => {
    const connecting = 'ConnectingAAAA=';
    await saveConnection(connecting, 'connecting-user', groups.user('connecting-user'));
    await publish({ type: 'probe', data: {}, audiences: [groups.user('connecting-user')] });
    await drain();
    expect(await connectionUser(connecting)).toBeDefined();
    expect(await members(groups.user('connecting-user'))).toEqual([connecting]);
  });
});
