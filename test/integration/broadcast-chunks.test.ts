import { describe, expect, it } from 'vitest';
import type { BroadcastJob } from '../../lambdas/core/broadcast.ts';
import { groups } from '../../lambdas/core/groups.ts';
import { serverMessage } from '../../lambdas/core/messages.ts';
import { createPost, drain, newUser } from '../support/api.ts';
import { invokeWorker, sqsEvent } from '../support/lambda-events.ts';
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
