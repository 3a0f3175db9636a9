import { defineConfig } from 'vitest/config';

/**
 * Two groups: most tests share one twin and run in parallel; tests that need the whole service to
 * themselves (exact global counts, restarts, load) run afterwards, one file at a time, against a
 * twin of their own.
 */
export default defineConfig({
  test: {
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/handler-env.ts'],
    pool: 'forks',
    maxWorkers: 3,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: 'shared', include: ['test/{unit,integration,e2e}/**/*.test.ts'], sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'exclusive', include: ['test/exclusive/**/*.test.ts'], fileParallelism: false, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
