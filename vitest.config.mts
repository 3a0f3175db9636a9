import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          // CDK template, cdk-nag and CLI synth tests: no emulators, no global setup.
          name: 'cdk',
          include: ['test/cdk/**/*.test.ts'],
          pool: 'forks',
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
