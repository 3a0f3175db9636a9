import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { queues as queueSpecs } from '../../lambdas/manifest.ts';
import { serverMessage } from '../../lambdas/core/messages.ts';
import { groups } from '../../lambdas/core/groups.ts';
import { queryAll } from '../../lambdas/repositories/query.ts';
import { call, createPost, drain, newUser, twin } from '../support/api.ts';
import { awaitMessage, sendBatch } from '../support/queues.ts';
import { WsClient } from '../support/ws.ts';

/**
 * Poison messages: a message no worker can ever handle is retried (after 1 s in the twin) until the
 * queue's maxReceiveCount, then moved to the dead-letter queue; the good messages of its batch are
 * handled once and are not held back or repeated by it.
 */
const maxReceives = (name: string) => queueSpecs.find((queue) => queue.name === name)!.maxReceiveCount;

describe('poison messages end in the dead-letter queue; the rest of their batch commits', () => {
  it('views, broadcast, notifications and cleanup queues', async () => {
    const { queues } = twin();
    const marker = randomUUID();
    const author = await newUser();
    const post = await createPost(author);
    const viewers = await Promise.all([newUser(), newUser(), newUser()]);
    const listener = await newUser();
    const socket = await WsClient.connect(listener);
    socket.acceptOwnType('poison_test_event');
    const at = new Date().toISOString();
    const poison = {
      views: [`{"not json ${marker}`, JSON.stringify({ user_id: marker, post_ids: ['one'], viewed_at: at })],
      broadcast: [`<xml>${marker}</xml>`],
      cleanup: [JSON.stringify({ kind: 'exorcism', marker })],
      notifications: [JSON.stringify({ notifications: `not a list ${marker}` }), `{"notifications": [${marker}`],
    };
    const goodNotification = {
      id: `poison-neighbour-${marker}`,
      recipient_id: listener.id,
      title: 'New Comment',
      message: 'Someone commented on your post.',
      data: { post_id: post.id },
      created_at: at,
    };
    const good = serverMessage('poison_test_event', { marker });
    await Promise.all([
      sendBatch(twin(), queues.main.views, [
        ...viewers.map((viewer) => JSON.stringify({ user_id: viewer.id, post_ids: [post.id], viewed_at: at })),
        ...poison.views,
      ]),
      sendBatch(twin(), queues.main.broadcast, [JSON.stringify({ message: good, audiences: [groups.user(listener.id)] }), ...poison.broadcast]),
      sendBatch(twin(), queues.main.cleanup, poison.cleanup),
      sendBatch(twin(), queues.main.notifications, [JSON.stringify({ notifications: [goodNotification] }), ...poison.notifications]),
    ]);
    const dead = await Promise.all(
      (['views', 'broadcast', 'cleanup', 'notifications'] as const).flatMap((queue) =>
        poison[queue].map((body) => awaitMessage(twin(), queues.deadLetter[queue], (text) => text === body).then((message) => ({ queue, message }))),
      ),
    );
    for (const { queue, message } of dead) {
      expect(Number(message.Attributes?.ApproximateReceiveCount), `${queue} receives`).toBeGreaterThanOrEqual(maxReceives(queue));
    }
    await drain();
    // The good messages of the same batches: three views counted once, the event delivered once.
    const seen = await call('GET', `/api/ventroom/posts/${post.id}/`, { user: author });
    expect(seen.body.views).toBe(3);
    await socket.next('poison_test_event');
    expect(socket.count('poison_test_event')).toBe(1);
    const inbox = await queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :n)',
      ExpressionAttributeValues: { ':pk': `USER#${listener.id}`, ':n': 'N#' },
      ConsistentRead: true,
    });
    expect(inbox.map((item) => item.id)).toEqual([goodNotification.id]);
    await socket.close();
    console.log(`poison: ${dead.length} poison messages dead-lettered after ${dead.map((d) => d.message.Attributes?.ApproximateReceiveCount).join('/')} receives`);
  });
});
