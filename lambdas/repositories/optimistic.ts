import { cancellationReasons } from '../core/db.ts';

/** Returned by an attempt that lost a race (a condition on a value it read failed): read again, retry. */
export const AGAIN = Symbol('again');

const TRANSIENT_REASONS = new Set(['TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded']);
const TRANSIENT_ERRORS = new Set(['TransactionConflictException', 'TransactionInProgressException', 'ProvisionedThroughputExceededException', 'ThrottlingException']);

/** A write that failed only because another one held the same item at that instant: worth retrying as is. */
export function isTransientWriteFailure(error: unknown): boolean {
  const reasons = cancellationReasons(error);
  if (reasons) return reasons.some((reason) => TRANSIENT_REASONS.has(reason));
  return TRANSIENT_ERRORS.has((error as { name?: string } | null)?.name ?? '');
}

export class TooMuchContentionError extends Error {
  constructor(attempts: number) {
    super(`Gave up after ${attempts} attempts of conflicting writes`);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Optimistic concurrency: runs `attempt` (read, decide, write under conditions on what was read)
 * until it returns a result. An attempt that returns AGAIN, or whose transaction collided with
 * another one, is retried after a short randomised backoff, so many writers on one hot item
 * (reactions on a popular post) spread out instead of colliding in lockstep.
 */
export async function optimistic<T>(attempt: (round: number) => Promise<T | typeof AGAIN>, maxAttempts = 15): Promise<T> {
  for (let round = 0; ; round++) {
    try {
      const result = await attempt(round);
      if (result !== AGAIN) return result;
    } catch (error) {
      if (!isTransientWriteFailure(error)) throw error;
    }
    if (round + 1 >= maxAttempts) throw new TooMuchContentionError(maxAttempts);
    await sleep(Math.min(500, 5 * 2 ** round) * (0.5 + Math.random()));
  }
}
