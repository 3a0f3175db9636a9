import { counterConfig, MAX_WINDOW_SECONDS } from '../core/counter-config.ts';

/**
 * Where a big audience's chunk jobs go in time so their `@connections` calls keep a rate: seconds
 * are filled with chunks in order while their calls fit `callsPerSecond`, and a chunk's SQS delay is
 * its second. A pace is shared by everything one flush hands out (its posts, one after the other).
 */
export interface Pace {
  callsPerSecond: number;
  /** The second being filled, and the calls already in it. */
  second: number;
  used: number;
}

export function pace(callsPerSecond: number): Pace {
  return { callsPerSecond: Math.max(1, callsPerSecond), second: 0, used: 0 };
}

/**
 * Paced chunks fill seconds to this share of the budget: a chunk's SQS delay is whole seconds and
 * its poll and calls take their own time, so some land in the next second, beside the post
 * screens' calls (5,000 watchers paced at the full budget peaked 3-5% over it).
 */
export const PACE_HEADROOM = 0.9;

/** A pace for `share` (0..1) of the fan-out budget, with the headroom. */
export function budgetPace(share: number): Pace {
  return pace(counterConfig.COUNTER_BUDGET_PER_SECOND * PACE_HEADROOM * share);
}

/** A chunk no bigger than one second's calls, so no second holds more than the rate. */
export function pacedChunkSize(chunkSize: number, current: Pace): number {
  return Math.max(1, Math.min(chunkSize, Math.floor(current.callsPerSecond)));
}

/** Each chunk's delay in seconds (SQS holds a message 900 s at most: later ones wait there). */
export function pacedDelays(chunkSizes: number[], current: Pace): number[] {
  return chunkSizes.map((size) => {
    if (current.used > 0 && current.used + size > current.callsPerSecond) {
      current.second++;
      current.used = 0;
    }
    current.used += size;
    return Math.min(MAX_WINDOW_SECONDS, current.second);
  });
}
