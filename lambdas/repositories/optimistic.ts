/** Returned by an attempt that lost a race (a condition on a value it read failed): read again, retry. */
export const AGAIN = Symbol('again');

export class TooMuchContentionError extends Error {
  constructor(attempts: number) {
    super(`Gave up after ${attempts} attempts of conflicting writes`);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Optimistic concurrency: runs `attempt` (read, decide, write under conditions on what was read)
 * until it returns a result. An attempt that returns AGAIN lost a race; it runs again on fresh reads
 * after a short randomised backoff, so writers racing on one item spread out instead of colliding in
 * lockstep. Transient failures are not retried here: db.ts already retried a transaction's
 * conflicts and throttling (and the SDK every other call's), so what reaches this loop is an answer.
 * Worst case ≈ 4 s of backoff: 8 rounds × the ≤ 0.45 s of db.ts, plus ≤ 0.55 s of its own.
 */
export async function optimistic<T>(attempt: (round: number) => Promise<T | typeof AGAIN>, maxAttempts = 8): Promise<T> {
  for (let round = 0; ; round++) {
    const result = await attempt(round);
    if (result !== AGAIN) return result;
    if (round + 1 >= maxAttempts) throw new TooMuchContentionError(maxAttempts);
    await sleep(Math.min(100, 5 * 2 ** round) * (0.5 + Math.random()));
  }
}
