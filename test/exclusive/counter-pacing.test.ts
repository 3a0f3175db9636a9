import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { TABLE, db } from '../../lambdas/core/db.ts';
import { groups } from '../../lambdas/core/groups.ts';
import { counterKeys } from '../../lambdas/core/keys.ts';
import { serverMessage } from '../../lambdas/core/messages.ts';
import { sqs } from '../../lambdas/core/sqs.ts';
import { createPost, newUser, twin } from '../support/api.ts';
import { invokeWorker, sqsEvent } from '../support/lambda-events.ts';
import { WsClient } from '../support/ws.ts';

// This file's fan-out, in process, on a budget of four @connections calls a second.
const BUDGET = 4;
process.env.COUNTER_BUDGET_PER_SECOND = String(BUDGET);
const { handler: broadcastWorker } = await import('../../lambdas/workers/broadcast.ts');
const { PACE_HEADROOM } = await import('../../lambdas/domain/pacing.ts');

/**
 * The fan-out budget in every second (lambdas/domain/pacing.ts): a feed counter whose audience is
 * more calls than one second of the budget is handed out as chunk jobs of at most one second's
 * calls, held back by SQS delays so that no second gets more than 90% of the budget, and every watcher
 * still gets the count exactly once. Exclusive: the whole feed is the audience.
 */
afterAll(async () => {
  // The audience this file recorded would size the next feed windows from a budget of four.
  await db.send(new DeleteCommand({ TableName: TABLE, Key: counterKeys.feedFlush() }));
});

describe("the feed counters' budget, second by second", () => {
  it('paces a big audience: chunk jobs of at most the budget, no second over it, each watcher once', async () => {
    const post = await createPost(await newUser());
    const watchers = await Promise.all(Array.from({ length: 12 }, async () => WsClient.connect(await newUser())));
    for (const watcher of watchers) await watcher.request({ type: 'join_ventroom' }, 'ventroom_joined');

    const handedOut: { size: number; delay: number }[] = [];
    const send = vi.spyOn(sqs, 'send');
    const message = serverMessage('ventroom_post_view_updated', { post_id: post.id, views: 7 });
    try {
      const job = { message, audiences: [groups.feed], except_audiences: [groups.post(post.id)], counter_guard: { post_id: post.id, audience: 'feed', views: 7 } };
      const result = await invokeWorker('BroadcastFanout', broadcastWorker, sqsEvent([JSON.stringify(job)]));
      expect(result.batchItemFailures).toEqual([]);
      for (const [command] of send.mock.calls) {
        if (!(command instanceof SendMessageBatchCommand) || command.input.QueueUrl !== twin().queues.main.broadcast) continue;
        for (const entry of command.input.Entries ?? []) {
          handedOut.push({ size: (JSON.parse(entry.MessageBody!) as { connection_ids: string[] }).connection_ids.length, delay: entry.DelaySeconds ?? 0 });
        }
      }
    } finally {
      send.mockRestore();
    }

    // The feed may hold other files' stale connections too: at least this file's twelve.
    expect(handedOut.reduce((sum, chunk) => sum + chunk.size, 0)).toBeGreaterThanOrEqual(watchers.length);
    const perSecond = new Map<number, number>();
    for (const { size, delay } of handedOut) perSecond.set(delay, (perSecond.get(delay) ?? 0) + size);
    // Seconds are filled to 90% of the budget (PACE_HEADROOM): three calls of four.
    const perSecondCap = Math.floor(BUDGET * PACE_HEADROOM);
    expect(perSecondCap).toBe(3);
    for (const calls of perSecond.values()) expect(calls).toBeLessThanOrEqual(perSecondCap);
    // Twelve calls at three a second take at least four seconds.
    expect(Math.max(...perSecond.keys())).toBeGreaterThanOrEqual(3);

    for (const watcher of watchers) await watcher.next('ventroom_post_view_updated', (m) => m.id === message.id, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    for (const watcher of watchers) expect(watcher.received.filter((m) => m.id === message.id)).toHaveLength(1);
    await Promise.all(watchers.map((watcher) => watcher.close()));
  });
});
