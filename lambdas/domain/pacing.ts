import { MAX_WINDOW_SECONDS } from '../core/counter-config.ts';

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
