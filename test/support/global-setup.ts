import 'vitest';
import type { ChildProcess } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import { IAM_CALLS_DIR_VARIABLE } from '../../local/aws-call-recorder.ts';
import { startTwinProcess, stopTwinProcess, type TwinInfo } from '../../local/twin-process.ts';
import { startIamRecording } from './iam-calls.ts';

// The spawn logic lives in local/twin-process.ts (the benchmarks start twins the same way).
export { cleanEnv, startTwinProcess, stopTwinProcess, type TwinInfo } from '../../local/twin-process.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    twin: TwinInfo;
    /** Where this run's handlers record their AWS calls (test/support/iam-calls.ts). */
    iamCallsDir: string;
  }
}

let running: ChildProcess | undefined;

export async function setup(project: TestProject) {
  // Before the twin starts: it and every twin a test starts inherit the switch from this process.
  const iamCallsDir = startIamRecording();
  process.env[IAM_CALLS_DIR_VARIABLE] = iamCallsDir;
  project.provide('iamCallsDir', iamCallsDir);
  const { child, info } = await startTwinProcess();
  running = child;
  project.provide('twin', info);
}

export async function teardown() {
  if (running) await stopTwinProcess(running);
}
