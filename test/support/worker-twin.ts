import { inject } from 'vitest';
import type { TwinInfo } from './global-setup.ts';

/**
 * The twin this test file runs against: its project's only twin, or, in a project with a twin per
 * worker, the one of this worker (VITEST_POOL_ID runs from 1 to maxWorkers, one file at a time).
 */
export function workerTwin(): TwinInfo {
  const twins = inject('twins');
  if (twins.length === 1) return twins[0]!;
  const pool = Number(process.env.VITEST_POOL_ID);
  const chosen = twins[pool - 1];
  if (!chosen) throw new Error(`no twin for VITEST_POOL_ID=${process.env.VITEST_POOL_ID} (${twins.length} twins)`);
  return chosen;
}
