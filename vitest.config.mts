import { defineConfig } from 'vitest/config';
import LongestFirstSequencer from './test/support/sequencer.ts';

/**
 * Four projects. `shared`: most tests, in parallel, against one twin. `exclusive`: tests that need
 * the whole service to themselves (exact global counts, restarts, load), afterwards, two files at a
 * time, each file against a twin it leases (test/support/worker-twin.ts).
 * `cdk`: template and cdk-nag tests, no emulators (the CLI synth with bundling only in test:hard).
 * `iam`: last, the least-privilege check of every function's policy against the AWS calls the other
 * projects' tests recorded.
 */
const twinProject = {
  globalSetup: ['test/support/global-setup.ts'],
  setupFiles: ['test/support/handler-env.ts', 'test/support/contract-setup.ts'],
};

export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 3,
    // A fresh clone has no results cache: recorded durations put the long files first (test/support/sequencer.ts).
    sequence: { sequencer: LongestFirstSequencer },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 60_000,
    // Background work (a $disconnect, a queue hop) takes its time on a loaded 2-core machine.
    expect: { poll: { timeout: 10_000, interval: 100 } },
    projects: [
      {
        extends: true,
        test: { ...twinProject, name: 'shared', include: ['test/{unit,integration,e2e}/**/*.test.ts', 'client/test/**/*.test.ts'], sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: {
          ...twinProject,
          name: 'exclusive',
          include: ['test/exclusive/**/*.test.ts'],
          // Measured with vmstat: one file at a time left the two cores half idle (faults, restart and
          // twin-lifecycle wait on timers and JVM starts). Each file leases a twin of its own
          // (test/support/worker-twin.ts), so no file sees another's posts or counts. Three at a time
          // was no faster (151 s against 149 s: both cores already 98-100% busy).
          maxWorkers: 2,
          env: { VENTROOM_TEST_TWIN_PER_WORKER: '1' },
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        // The real CLI synth (every function bundled, about 2 minutes of 2 cores) is in `npm run test:hard`.
        // (Not beside the exclusive project, though it needs no twin: vitest refuses projects with different maxWorkers in one group.)
        test: { name: 'cdk', include: ['test/cdk/**/*.test.ts'], exclude: process.env.VENTROOM_TEST_HARD ? [] : ['test/cdk/cli-synth.test.ts'], sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'iam', include: ['test/iam/**/*.test.ts'], sequence: { groupOrder: 2 } },
      },
    ],
  },
});
