import { afterAll, describe, expect, it } from 'vitest';
import { RealtimeClient, type ResyncGroup } from '../../client/src/index.ts';
import { groups } from '../../lambdas/core/groups.ts';
import { serverMessage } from '../../lambdas/core/messages.ts';
import { MAX_FRAME_BYTES } from '../../lambdas/domain/batch-frame.ts';
import { noteForDigest } from '../../lambdas/domain/digest.ts';
import { stampEvent } from '../../lambdas/domain/history.ts';
import { addToDigest } from '../../lambdas/repositories/digests.ts';
import { call, createPost, newUser, twin } from '../support/api.ts';
import { checkServerFrame } from '../support/contract.ts';

/**
 * A protocol-2 group with more events waiting than three frames carry (a feed whose events outrun
 * its interval) skips to the newest (domain/digest.ts): over a real socket the typed client gets a
 * `batch` frame with `skipped`, hands its listeners the newest events, asks the app to refetch the
 * group (`onResync`), and goes on with live events. The backlog is put into the post's history and
 * digest directly (a real post screen never has 100 KB of events in one second); the twin's
 * fan-out worker runs the digest and delivers it.
 */
const clients: RealtimeClient[] = [];
afterAll(() => {
  for (const client of clients) client.close();
});

describe('protocol 2: a backlog past three frames', () => {
  it('reaches the typed client as the newest events, a skipped note and a resync, then live events again', async () => {
    const [author, reader] = await Promise.all([newUser(), newUser()]);
    // The create response is the event payload: a GET would count a view, whose counter flush arms a
    // digest that can run (on a loaded machine) before the backlog below is all pending.
    const post = await createPost(author);
    const dto: Record<string, unknown> = post;
    const resyncs: ResyncGroup[] = [];
    const frames: { type: string; data: any }[] = [];
    const client = new RealtimeClient({ url: twin().wsUrl, token: reader.token, protocol: 2, onResync: (group) => resyncs.push(group) });
    clients.push(client);
    const texts: string[] = [];
    client.onFrame((frame) => {
      texts.push(JSON.stringify(frame));
      frames.push(frame as { type: string; data: any });
    });
    const updates: string[] = [];
    client.on('ventroom_post_updated', (event) => updates.push(event.data.content));
    const comments: string[] = [];
    client.on('new_ventroom_comment', (event) => comments.push(event.data.text));
    client.connect();
    await client.joinPost(post.id);

    // Twelve updates of 10 KB each in the post's group: 120 KB, more than three frames.
    const group = groups.post(post.id);
    const contents = Array.from({ length: 12 }, (_, i) => `update ${i} ${'y'.repeat(10_000)}`);
    let last = 0;
    for (const content of contents) {
      last = (await stampEvent(serverMessage('ventroom_post_updated', { ...dto, content }), [group]))[group]!.offset;
      // All pending before a digest runs (a quiet group's first event would go at once, the leading edge).
      if (content !== contents.at(-1)) await addToDigest(group, { offset: last }, Date.now());
    }
    await noteForDigest(group, { offset: last }, 1);

    await expect.poll(() => resyncs, { timeout: 20_000 }).toEqual([{ kind: 'post', postId: post.id }]);
    const skipped = frames.find((frame) => frame.type === 'batch' && frame.data.skipped);
    expect(skipped?.data.group).toBe(group);
    // The frame's events, less any latest counts it carries after them.
    const delivered = (skipped!.data.events as { type: string }[]).filter((event) => event.type === 'ventroom_post_updated').length;
    expect(delivered).toBeGreaterThanOrEqual(2);
    expect(skipped!.data.skipped).toEqual({ events: contents.length - delivered, through_offset: last - delivered });
    expect(updates).toEqual(contents.slice(-delivered));

    // Live again: the next event comes in the group's next frame, and needs no resync.
    const text = 'after the backlog';
    expect((await call('POST', `/api/ventroom/posts/${post.id}/comments/`, { user: author, json: { text } })).status).toBe(201);
    await expect.poll(() => comments, { timeout: 20_000 }).toEqual([text]);
    expect(resyncs).toHaveLength(1);
    for (const text of texts) {
      checkServerFrame(text);
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    }
  });
});
