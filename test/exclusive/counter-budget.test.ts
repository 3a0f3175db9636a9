import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { TABLE, db } from '../../lambdas/core/db.ts';
import { counterKeys } from '../../lambdas/core/keys.ts';

// This file's own counters, on a budget of one @connections call a second: a feed of 8 is "big".
process.env.COUNTER_BUDGET_PER_SECOND = '1';
const { counterConfig } = await import('../../lambdas/core/counter-config.ts');
const { feedCounterAudience } = await import('../../lambdas/domain/counter-flush.ts');
const { claimFeedFlush } = await import('../../lambdas/repositories/counters.ts');

/**
 * The fan-out budget (lambdas/core/counters.ts): the audience a feed counter reached sizes the feed's
 * next windows so 2 posts x audience / window stays within COUNTER_BUDGET_PER_SECOND, every later
 * claim (the views workers', the flush's own) takes that window, and the state goes out as
 * CloudWatch metrics (EMF). Exclusive: the feed's flush state is one item for the whole twin.
 */
const feedTick = () => db.send(new GetCommand({ TableName: TABLE, Key: counterKeys.feedFlush(), ConsistentRead: true }));
afterAll(async () => {
  await db.send(new DeleteCommand({ TableName: TABLE, Key: counterKeys.feedFlush() }));
});

describe("the feed counters' budget", () => {
  it('widens the window with the audience, for every later claim, and reports it as metrics', async () => {
    expect(counterConfig.COUNTER_BUDGET_PER_SECOND).toBe(1);
    await db.send(new DeleteCommand({ TableName: TABLE, Key: counterKeys.feedFlush() }));
    const written: string[] = [];
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    const now = Date.now();
    try {
      await feedCounterAudience(8, now); // 2 posts x 8 connections / 1 call a second: 16 s
    } finally {
      stdout.mockRestore();
    }
    expect((await feedTick()).Item).toMatchObject({ audience: 8, window_ms: 16_000 });
    const emf = written.map((line) => JSON.parse(line)).find((entry) => entry._aws?.CloudWatchMetrics);
    expect(emf).toMatchObject({ FeedCounterWindow: 16, FeedCounterAudience: 8, FeedCounterCallsPerSecond: 1, CounterBudgetPerSecond: 1 });
    expect(emf._aws.CloudWatchMetrics[0].Namespace).toBe('VentRoom');

    // Every claim now takes the widened window (its default is only for a feed never measured).
    expect(await claimFeedFlush(now, 10_000, 100)).toEqual({ claimed: true, windowMs: 16_000 });
    expect(await claimFeedFlush(now + 15_000, 10_000, 100)).toEqual({ claimed: false, dueMs: now + 16_000 - 100 });
    expect(await claimFeedFlush(now + 15_900, 10_000, 100)).toEqual({ claimed: true, windowMs: 16_000 });

    // A small audience again: back to the floor.
    await feedCounterAudience(3, now);
    expect(await claimFeedFlush(now + 40_000, 10_000, 100)).toEqual({ claimed: true, windowMs: 10_000 });
  });
});
