import 'vitest';
import type { ChildProcess } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import { startTwinProcess, stopTwinProcess, type TwinInfo } from '../../local/twin-process.ts';

// The spawn logic lives in local/twin-process.ts (the benchmarks start twins the same way).
export { cleanEnv, startTwinProcess, stopTwinProcess, type TwinInfo } from '../../local/twin-process.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    twin: TwinInfo;
  }
}

let running: ChildProcess | undefined;

export async function setup(project: TestProject) {
  const { child, info } = await startTwinProcess();
  running = child;
  project.provide('twin', info);
}

export async function teardown() {
  if (running) await stopTwinProcess(running);
}
