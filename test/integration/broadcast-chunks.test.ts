import { describe, expect, it } from 'vitest';
import type { BroadcastJob } from '../../lambdas/core/broadcast.ts';
import { groups } from '../../lambdas/core/groups.ts';
import { serverMessage } from '../../lambdas/core/messages.ts';
import { groupConnections } from '../../lambdas/repositories/connections.ts';
import { raiseSent } from '../../lambdas/repositories/counters.ts';
import { handler as viewsWorker } from '../../lambdas/workers/views.ts';
import { createPost, drain, newUser } from '../support/api.ts';
import { invokeWorker, sqsEvent } from '../support/lambda-events.ts';
import { sqsEvent as viewsEvent, userIds, viewsRecord } from '../support/views.ts';
import { WsClient } from '../support/ws.ts';

// This file's own copy of the fan-out worker, with tiny chunks: a group of seven is a "large" audience.
process.env.BROADCAST_CHUNK_SIZE = '3';
const { handler } = await import('../../lambdas/workers/broadcast.ts');

describe('fan-out worker: audiences larger than a chunk', () => {
  it('hands a large audience out as chunk jobs and every member gets the event exactly once', async () => {
    const author = await newUser();
    const post = await createPost(author);
    const members = await Promise.all(Array.from({ length: 7 }, async () => WsClient.connect(await newUser())));
    for (const client of members) client.acceptOwnType('chunk_probe');
    await Promise.all(members.map((client) => client.request({ type: 'join_ventroom_post', data: { post_id: post.id } }, 'ventroom_post_joined')));
    const job: BroadcastJob = { message: serverMessage('chunk_probe', { post_id: post.id }), audiences: [groups.post(post.id)] };

    const result = await invokeWorker('BroadcastFanout', handler, sqsEvent([JSON.stringify(job)]));
    expect(result.batchItemFailures).toEqual([]);
    // The resolving invocation delivered nothing itself: the chunks arrive through the queue.
    await drain();
    for (const client of members) expect(client.count('chunk_probe')).toBe(1);
    await Promise.all(members.map((client) => client.close()));
  });
});

describe('fan-out worker: view counters in chunks', () => {
  it('a counter flush for a large group goes out in chunk jobs, each member getting the latest count once', async () => {
    const post = await createPost(await newUser());
    const members = await Promise.all(Array.from({ length: 7 }, async () => WsClient.connect(await newUser())));
    await Promise.all(members.map((client) => client.request({ type: 'join_ventroom_post', data: { post_id: post.id } }, 'ventroom_post_joined')));
    await invokeWorker('ViewsCounter', viewsWorker, viewsEvent(userIds(4).map((viewer) => viewsRecord(viewer, [post.id]))));
    // The flush, run here with this file's tiny chunks (the views worker also scheduled one on the queue).
    const result = await invokeWorker('BroadcastFanout', handler, sqsEvent([JSON.stringify({ counter: 'post', post_id: post.id })]));
    expect(result.batchItemFailures).toEqual([]);
    const about = (m: { data: any }) => m.data?.post_id === post.id;
    for (const client of members) await client.next('ventroom_post_view_updated', about);
    await drain();
    for (const client of members) {
      const counts = client.received.filter((m) => m.type === 'ventroom_post_view_updated' && about(m));
      expect(new Set(counts.map((m) => m.id)).size).toBeGreaterThanOrEqual(1);
      expect(counts.every((m) => (m.data as { views: number }).views === 4)).toBe(true);
    }
    await Promise.all(members.map((client) => client.close()));
  });

  it('a late chunk of a counter is dropped once its audience was sent a higher count', async () => {
    const post = await createPost(await newUser());
    const member = await WsClient.connect(await newUser());
    await member.request({ type: 'join_ventroom_post', data: { post_id: post.id } }, 'ventroom_post_joined');
    const connectionIds: string[] = [];
    for await (const page of groupConnections(groups.post(post.id))) connectionIds.push(...page);
    expect(await raiseSent(post.id, 'post', 7, Date.now())).toBe(true);
    const chunk = (views: number): BroadcastJob => ({
      message: serverMessage('ventroom_post_view_updated', { post_id: post.id, views }),
      audiences: [groups.post(post.id)],
      connection_ids: connectionIds,
      counter_guard: { post_id: post.id, audience: 'post', views },
    });
    expect((await invokeWorker('BroadcastFanout', handler, sqsEvent([JSON.stringify(chunk(5))]))).batchItemFailures).toEqual([]);
    expect((await invokeWorker('BroadcastFanout', handler, sqsEvent([JSON.stringify(chunk(7))]))).batchItemFailures).toEqual([]);
    await member.next('ventroom_post_view_updated', (m) => (m.data as { post_id: number }).post_id === post.id);
    await drain();
    expect(member.received.filter((m) => m.type === 'ventroom_post_view_updated').map((m) => m.data)).toEqual([{ post_id: post.id, views: 7 }]);
    await member.close();
  });
});
