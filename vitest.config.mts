import { defineConfig } from 'vitest/config';

/**
 * Five projects. `shared`: most tests, in parallel, against one twin. `exclusive`: tests that need
 * the whole service to themselves (exact global counts, restarts, load), afterwards, two files at a
 * time, each against a twin of its own; `exclusive-alone`: the races, after them, by themselves.
 * `cdk`: template, cdk-nag and CLI synth tests, no emulators. `iam`: last, the least-privilege check
 * of every function's policy against the AWS calls the other projects' tests recorded.
 */
const twinProject = {
  globalSetup: ['test/support/global-setup.ts'],
  setupFiles: ['test/support/handler-env.ts', 'test/support/contract-setup.ts'],
};

/** The exclusive file that runs by itself, after the others. */
const ALONE = 'test/exclusive/races.test.ts';

export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 3,
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
          exclude: [ALONE],
          // Two files at a time, each against its worker's own twin (test/support/global-setup.ts):
          // the files wait on queues and batching windows far more than they compute.
          maxWorkers: 2,
          env: { VENTROOM_TEST_TWIN_PER_WORKER: '1' },
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: { name: 'cdk', include: ['test/cdk/**/*.test.ts'], sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        // 50 clients at once with every message delivered three times: beside another heavy file on
        // 2 cores its handlers ran into their Lambda timeouts (a 500, in a fresh-clone CI run).
        test: { ...twinProject, name: 'exclusive-alone', include: [ALONE], sequence: { groupOrder: 2 } },
      },
      {
        extends: true,
        test: { name: 'iam', include: ['test/iam/**/*.test.ts'], sequence: { groupOrder: 3 } },
      },
    ],
  },
});
