import { describe, expect, it } from 'vitest';
import { publish } from '../../lambdas/core/broadcast.ts';
import { groups } from '../../lambdas/core/groups.ts';
import { connectionKeys } from '../../lambdas/core/keys.ts';
import { connectionUser, groupConnections, joinGroup, saveConnection } from '../../lambdas/repositories/connections.ts';
import { queryAll } from '../../lambdas/repositories/query.ts';
import { createPost, drain, newUser } from '../support/api.ts';
import { comment, react } from '../support/comments.ts';
import { WsClient } from '../support/ws.ts';

/**
 * A WebSocket client trying to reach what is not its own: other users' `user_<id>` groups through
 * odd post ids, reserved route keys, extra fields; oversized and binary frames. It may join public
 * groups (the feed, existing posts) and nothing else, and never receives another user's events.
 */
async function connectionIdOf(userId: string): Promise<string> {
  const ids: string[] = [];
  for await (const page of groupConnections(groups.user(userId))) ids.push(...page);
  expect(ids).toHaveLength(1);
  return ids[0]!;
}

/** The groups a connection is a member of, as the fan-out worker and $disconnect see them. */
async function joinedGroups(connectionId: string): Promise<string[]> {
  const items = await queryAll({
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :g)',
    ExpressionAttributeValues: { ':pk': connectionKeys.partition(connectionId), ':g': connectionKeys.joinedPrefix },
    ConsistentRead: true,
  });
  return items.map((item) => connectionKeys.groupOf(item.sk as string)).sort();
}

describe('WebSocket: no way into another user\'s group', () => {
  it('odd post ids, reserved route keys and extra fields join nothing private; the victim\'s events never arrive', async () => {
    const victim = await newUser();
    const attacker = await newUser();
    // Created before connecting, so the attacker's own new_ventroom_post is not among what it receives.
    const post = await createPost(attacker);
    await drain();
    const victimSocket = await WsClient.connect(victim);
    const socket = await WsClient.connect(attacker);
    const connectionId = await connectionIdOf(attacker.id);
    const victimGroup = groups.user(victim.id);
    const oddIds: unknown[] = [
      -1, 0, 1.5, 2 ** 53 + 2, 1e21, Number.NaN, '1e3', '0x10', ` ${post.id}`, `${post.id} `, `${post.id}#`, `${post.id}/../1`, '１', '', null, true,
      [post.id], { id: post.id }, victimGroup, `user_${victim.id}`, victim.id, `${post.id}\u0000`, '99999999999999999999',
    ];
    let refused = 0;
    for (const postId of oddIds) {
      const reply = await socket.request({ type: 'join_ventroom_post', data: { post_id: postId } }, 'error');
      expect(reply.data.message).toMatch(/post_id must be a positive integer|not found/);
      refused += 1;
    }
    for (const data of [undefined, 'string', 42, [1], { post_id: post.id, group: victimGroup }]) {
      const reply = await socket.request({ type: 'join_ventroom_post', data }, data && typeof data === 'object' && 'group' in data ? 'ventroom_post_joined' : 'error');
      if (reply.type === 'ventroom_post_joined') expect(reply.data.post_id).toBe(post.id);
      else refused += 1;
    }
    // Reserved route keys and impersonation fields.
    for (const type of ['$connect', '$disconnect', '$default', 'join_user', 'join_group', `join_${victimGroup}`]) {
      const reply = await socket.request({ type, data: { token: victim.token, user_id: victim.id, group: victimGroup }, user_id: victim.id }, 'error');
      expect(reply.data.message).toMatch(/^Unknown message type/);
      refused += 1;
    }
    for (const message of [
      { type: 'leave_ventroom', group: groups.user(attacker.id) },
      { type: 'leave_ventroom_post', data: { post_id: post.id, group: groups.user(attacker.id) } },
    ]) {
      socket.send(message);
    }
    // Leaves have no reply: poll (a loaded machine can take seconds) until only its own group is left,
    // whatever it asked to leave; no other user's group was ever joined.
    await expect.poll(() => joinedGroups(connectionId), { timeout: 15_000, interval: 250 }).toEqual([groups.user(attacker.id)]);
    expect(await connectionUser(connectionId)).toMatchObject({ userId: attacker.id });

    // The victim's private event (new_ventroom_post goes to the feed and the creator only).
    const victimPost = await createPost(victim);
    await victimSocket.next('new_ventroom_post', (m) => m.data.id === victimPost.id);
    await drain();
    expect(socket.count('new_ventroom_post')).toBe(0);
    expect(socket.received.every((m) => ['error', 'ventroom_post_joined'].includes(m.type))).toBe(true);
    expect(socket.socket.readyState).toBe(socket.socket.OPEN);
    await Promise.all([socket.close(), victimSocket.close()]);
    expect(refused).toBeGreaterThanOrEqual(oddIds.length + 4 + 6);
  });

  it('join_ventroom answers with the caller\'s own id whatever fields it carries', async () => {
    const victim = await newUser();
    const attacker = await newUser();
    const socket = await WsClient.connect(attacker);
    const reply = await socket.request({ type: 'join_ventroom', user_id: victim.id, group: groups.user(victim.id), data: { user_id: victim.id } }, 'ventroom_joined');
    expect(reply.data.user_id).toBe(attacker.id);
    expect(await joinedGroups(await connectionIdOf(attacker.id))).toEqual([groups.user(attacker.id), groups.feed].sort());
    await socket.close();
  });
});

describe('WebSocket: another user\'s notifications never arrive, whatever groups one joins', () => {
  it('a member of the post\'s group and the feed gets the public events, only the owners their private ones', async () => {
    const owner = await newUser();
    const eavesdropper = await newUser();
    const actor = await newUser();
    const post = await createPost(owner);
    const ownerComment = await comment(owner, post.id, 'mine');
    const [ownerSocket, spy] = [await WsClient.connect(owner), await WsClient.connect(eavesdropper)];
    await spy.request({ type: 'join_ventroom' }, 'ventroom_joined');
    await spy.request({ type: 'join_ventroom_post', data: { post_id: post.id } }, 'ventroom_post_joined');
    const created = await comment(actor, post.id, 'hello');
    const reply = await comment(actor, post.id, 'a reply', ownerComment.id);
    await react(actor, 'ventpost', post.id, '👍');
    await react(actor, 'ventcomment', ownerComment.id, '❤️');
    // The owner hears all four privately; the spy the public ones.
    await ownerSocket.next('new_comment_on_user_post', (m) => m.data.id === created.id);
    await ownerSocket.next('new_reply_on_user_comment', (m) => m.data.id === reply.id);
    await ownerSocket.next('new_reaction_on_user_post');
    await ownerSocket.next('new_reaction_on_user_comment');
    await spy.next('new_ventroom_comment', (m) => m.data.id === reply.id);
    await spy.next('ventroom_reaction_updated', (m) => m.data.object_id === ownerComment.id);
    await drain();
    const privateTypes = ['new_comment_on_user_post', 'new_reply_on_user_comment', 'new_reaction_on_user_post', 'new_reaction_on_user_comment'];
    expect(spy.received.filter((m) => privateTypes.includes(m.type))).toEqual([]);
    await Promise.all([ownerSocket.close(), spy.close()]);
  });
});

describe('WebSocket: frames it must refuse cleanly', () => {
  it('a frame over 128 KB closes only that connection, with 1009; 128 KB exactly is handled', async () => {
    const user = await newUser();
    const bystander = await WsClient.connect(user);
    const big = await WsClient.connect(user);
    const atLimit = JSON.stringify({ type: 'ping', pad: '' });
    const exact = JSON.stringify({ type: 'ping', pad: 'x'.repeat(128 * 1024 - atLimit.length) });
    expect(Buffer.byteLength(exact)).toBe(128 * 1024);
    expect((await big.request(exact, 'pong')).type).toBe('pong');
    const closed = new Promise<number>((resolve) => big.socket.once('close', (code) => resolve(code)));
    big.send(JSON.stringify({ type: 'ping', pad: 'x'.repeat(128 * 1024) }));
    expect(await closed).toBe(1009);
    expect((await bystander.request({ type: 'ping' }, 'pong')).type).toBe('pong');
    // $disconnect ran for the closed one: only the bystander is left in the user's group.
    await expect.poll(async () => {
      const ids: string[] = [];
      for await (const page of groupConnections(groups.user(user.id))) ids.push(...page);
      return ids.length;
    }).toBe(1);
    await bystander.close();
  });

  it('binary frames, invalid UTF-8, deep nesting and a burst of 100 messages get error replies and the socket stays usable', async () => {
    const socket = await WsClient.connect(await newUser());
    socket.socket.send(Buffer.from([0xde, 0xad, 0xbe, 0xef]), { binary: true });
    await socket.next('error');
    const nested = `${'{"type":"ping","data":'.repeat(1)}${'['.repeat(5000)}${']'.repeat(5000)}}`;
    socket.send(nested);
    socket.send('{"type": "join_ventroom_post", "data": {"post_id": 1e999}}');
    const burst = Array.from({ length: 100 }, (_, i) => (i % 2 ? { type: 'ping' } : { type: `nope_${i}` }));
    for (const message of burst) socket.send(message);
    await expect.poll(() => socket.count('pong') + socket.count('error'), { timeout: 30_000 }).toBeGreaterThanOrEqual(102);
    expect((await socket.request({ type: 'ping' }, 'pong')).type).toBe('pong');
    await socket.close();
  });

  // Every message route closes a flooding connection itself (each holds the @connections grant for it).
  it.each([
    ['ping', { type: 'ping' }],
    ['$default', { type: 'flood' }],
    ['join_ventroom', { type: 'join_ventroom' }],
    ['leave_ventroom', { type: 'leave_ventroom' }],
    ['join_ventroom_post', { type: 'join_ventroom_post', data: { post_id: 1 } }],
    ['leave_ventroom_post', { type: 'leave_ventroom_post', data: { post_id: 1 } }],
    ['recover_user', { type: 'recover_user' }],
  ])('a connection flooding %s past its message budget is told why and closed; the same user\'s other connection is untouched', async (_route, message) => {
    const user = await newUser();
    const flooder = await WsClient.connect(user);
    const calm = await WsClient.connect(user);
    const closed = new Promise<number>((resolve) => flooder.socket.once('close', (code) => resolve(code)));
    // 120 a minute per connection (RATE_LIMITS socket): this burst spends it inside one window
    // unless it straddles a minute boundary, so it is sent again if the first one leaves it open.
    const burst = () => {
      for (let i = 0; i < 130 && flooder.socket.readyState === flooder.socket.OPEN; i++) flooder.send(message);
    };
    burst();
    const first = await Promise.race([closed, new Promise<'open'>((resolve) => setTimeout(() => resolve('open'), 20_000))]);
    if (first === 'open') burst();
    expect(await closed).toBe(1000);
    // Messages in flight when the budget ran out each get the notice (API Gateway runs them concurrently too).
    expect(flooder.count('error', (m) => String((m.data as { message?: unknown }).message).startsWith('Too many messages on this connection'))).toBeGreaterThanOrEqual(1);
    expect((await calm.request({ type: 'ping' }, 'pong')).type).toBe('pong');
    await calm.close();
  });
});

describe('WebSocket: connections that vanished without $disconnect', () => {
  it('are removed from every group on the first 410 while live members still get the event once', async () => {
    const live = await newUser();
    const author = await newUser();
    const post = await createPost(author);
    const member = await WsClient.connect(live);
    await member.request({ type: 'join_ventroom_post', data: { post_id: post.id } }, 'ventroom_post_joined');
    const ghosts = Array.from({ length: 3 }, (_, i) => `Gh0st${post.id}x${i}AAAA=`.slice(0, 16));
    for (const ghost of ghosts) {
      await saveConnection(ghost, `ghost-of-${live.id}`, groups.user(`ghost-of-${live.id}`), Date.now() - 60_000);
      const meta = await connectionUser(ghost);
      await joinGroup(ghost, groups.post(post.id), `ghost-of-${live.id}`, meta!.ttl);
    }
    member.acceptOwnType('ghost_probe');
    await publish({ type: 'ghost_probe', data: { post_id: post.id }, audiences: [groups.post(post.id)] });
    await member.next('ghost_probe');
    await drain();
    for (const ghost of ghosts) {
      expect(await connectionUser(ghost)).toBeUndefined();
      expect(await joinedGroups(ghost)).toEqual([]);
    }
    const left: string[] = [];
    for await (const page of groupConnections(groups.post(post.id))) left.push(...page);
    expect(left).toEqual([await connectionIdOf(live.id)]);
    expect(member.count('ghost_probe')).toBe(1);
    await member.close();
  });
});
