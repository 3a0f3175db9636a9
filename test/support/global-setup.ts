import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import 'vitest';
import type { TestProject } from 'vitest/node';
import { IAM_CALLS_DIR_VARIABLE } from '../../local/aws-call-recorder.ts';
import { startTwinProcess, stopTwinProcess, type TwinInfo } from '../../local/twin-process.ts';
import { startIamRecording } from './iam-calls.ts';

// The spawn logic lives in local/twin-process.ts (the benchmarks start twins the same way).
export { cleanEnv, startTwinProcess, stopTwinProcess, type TwinInfo } from '../../local/twin-process.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The project's twins: one shared by every worker, or one per worker (`twinPerWorker`). */
    twins: TwinInfo[];
    /** Where this run's handlers record their AWS calls (test/support/iam-calls.ts). */
    iamCallsDir: string;
    /** Where files lease one of several twins (test/support/worker-twin.ts). */
    twinLeaseDir: string;
  }
}

/** Set in a project's `env`: a twin per worker instead of one for the whole project. */
export const TWIN_PER_WORKER = 'VENTROOM_TEST_TWIN_PER_WORKER';

export async function setup(project: TestProject) {
  // Before the twin starts: it and every twin a test starts inherit the switch from this process.
  const iamCallsDir = startIamRecording();
  process.env[IAM_CALLS_DIR_VARIABLE] = iamCallsDir;
  project.provide('iamCallsDir', iamCallsDir);
  // A project whose files each need the whole service (`exclusive`) runs them two at a time, each
  // file leasing a twin of its own (test/support/worker-twin.ts).
  const count = project.config.env?.[TWIN_PER_WORKER] ? project.config.maxWorkers : 1;
  const started = await Promise.all(Array.from({ length: count }, () => startTwinProcess()));
  project.provide('twins', started.map(({ info }) => info));
  const twinLeaseDir = mkdtempSync(path.join(tmpdir(), 'ventroom-twin-leases-'));
  project.provide('twinLeaseDir', twinLeaseDir);
  // Returned, not kept in a module variable: each project that lists this file has its own twins.
  return async () => {
    await Promise.all(started.map(({ child }) => stopTwinProcess(child)));
    rmSync(twinLeaseDir, { recursive: true, force: true });
  };
}
