import { afterEach, describe, expect, it, vi } from 'vitest';
import { untilProcessed } from '../../lambdas/repositories/batch-write.ts';

/** The unprocessed-items loop BatchGetItem and BatchWriteItem share. */
describe('untilProcessed', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends what was left unprocessed again until nothing is', async () => {
    const sent: number[][] = [];
    const leftovers = [[2, 3], [3], []];
    await untilProcessed('Test', [1, 2, 3], async (pending) => {
      sent.push(pending);
      return leftovers[sent.length - 1]!;
    });
    expect(sent).toEqual([[1, 2, 3], [2, 3], [3]]);
  });

  it('gives up after nine calls that all leave something unprocessed', async () => {
    vi.useFakeTimers();
    let calls = 0;
    const outcome = expect(
      untilProcessed('Test', [1], async (pending) => {
        calls += 1;
        return pending;
      }),
    ).rejects.toThrow('Test left 1 requests unprocessed');
    await vi.runAllTimersAsync();
    await outcome;
    expect(calls).toBe(9);
  });
});
