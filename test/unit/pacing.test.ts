import { describe, expect, it } from 'vitest';
import { MAX_WINDOW_SECONDS } from '../../lambdas/core/counter-config.ts';
import { pace, pacedChunkSize, pacedDelays } from '../../lambdas/domain/pacing.ts';

const callsPerSecond = (sizes: number[], delays: number[]) => {
  const perSecond = new Map<number, number>();
  sizes.forEach((size, index) => perSecond.set(delays[index]!, (perSecond.get(delays[index]!) ?? 0) + size));
  return perSecond;
};

describe('pacing chunk jobs to a rate', () => {
  it('fills each second up to the rate, in order, and never past it', () => {
    const current = pace(2000);
    expect(pacedChunkSize(1000, current)).toBe(1000);
    const sizes = [1000, 1000, 1000, 1000, 1000];
    const delays = pacedDelays(sizes, current);
    expect(delays).toEqual([0, 0, 1, 1, 2]);
    // The flush's second post goes on where the first one stopped.
    expect(pacedDelays([1000, 1000, 1000], current)).toEqual([2, 3, 3]);
  });

  it('shrinks chunks below one second of calls, so an odd rate is kept too', () => {
    const current = pace(1500);
    const size = pacedChunkSize(1000, current);
    expect(size).toBe(1000);
    const sizes = [1000, 1000, 1000, 500];
    const delays = pacedDelays(sizes, current);
    for (const calls of callsPerSecond(sizes, delays).values()) expect(calls).toBeLessThanOrEqual(1500);
    expect(delays).toEqual([0, 1, 2, 2]);
    expect(pacedChunkSize(1000, pace(4))).toBe(4);
    expect(pacedChunkSize(1000, pace(0.2))).toBe(1);
  });

  it('holds nothing longer than SQS can', () => {
    const delays = pacedDelays(Array.from({ length: 2000 }, () => 1), pace(1));
    expect(Math.max(...delays)).toBe(MAX_WINDOW_SECONDS);
    expect(delays.slice(0, 3)).toEqual([0, 1, 2]);
  });
});
