import { describe, expect, it } from 'vitest';
import { createPost, newUser } from '../support/api.ts';
import { WsClient } from '../support/ws.ts';

/**
 * Load, so it runs in the exclusive project: while 500 sockets sit in ventroom_feed, every post and
 * view counter any other test makes fans out to all of them, and the twin's one process (one socket
 * pool per SDK client, unlike Lambda's environment per invocation) queues the other tests' calls
 * behind that burst until they time out.
 */
const about = (postId: number) => (m: { data: any }) => m.data?.id === postId || m.data?.post_id === postId;
const settle = (ms = 1500) => new Promise((resolve) => setTimeout(resolve, ms));

describe('broadcast: fan-out at scale', () => {
  it('delivers every event exactly once to each of 500 sockets', async () => {
    const size = 500;
    const users = await Promise.all(Array.from({ length: 20 }, () => newUser()));
    const clients: WsClient[] = [];
    for (let start = 0; start < size; start += 50) {
      clients.push(...(await Promise.all(Array.from({ length: Math.min(50, size - start) }, (_, i) => WsClient.connect(users[(start + i) % users.length])))));
    }
    await Promise.all(clients.map((client) => client.request({ type: 'join_ventroom' }, 'ventroom_joined')));
    const author = await newUser();
    const started = Date.now();
    const posts = [await createPost(author), await createPost(author)];
    await Promise.all(clients.flatMap((client) => posts.map((post) => client.next('new_ventroom_post', about(post.id), 30_000))));
    const elapsed = Date.now() - started;
    await settle();
    for (const client of clients) for (const post of posts) expect(client.count('new_ventroom_post', about(post.id))).toBe(1);
    console.log(`fan-out: 2 events x ${size} sockets delivered in ${elapsed} ms`);
    await Promise.all(clients.map((client) => client.close()));
  }, 120_000);
});
