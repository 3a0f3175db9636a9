import { afterEach, describe, expect, it } from 'vitest';
import { envDefault, envFlag, envInt, envOptional, envString, envUrl, readEnv } from '../../lambdas/core/config.ts';

/** readEnv and its setting builders (zod/mini): what a cold start accepts and how it refuses. */
describe('configuration from the environment', () => {
  const names = ['BENCH_T_STRING', 'BENCH_T_URL', 'BENCH_T_FLAG', 'BENCH_T_INT', 'BENCH_T_DEFAULT', 'BENCH_T_OPTIONAL'];
  afterEach(() => {
    for (const name of names) delete process.env[name];
  });

  it('reads and converts settings, with defaults for missing ones', () => {
    Object.assign(process.env, { BENCH_T_STRING: 'table', BENCH_T_URL: 'https://example.com/q', BENCH_T_FLAG: '1', BENCH_T_INT: '250' });
    expect(
      readEnv({
        BENCH_T_STRING: envString(),
        BENCH_T_URL: envUrl(),
        BENCH_T_FLAG: envFlag(false),
        BENCH_T_INT: envInt(100),
        BENCH_T_DEFAULT: envDefault('admin'),
        BENCH_T_OPTIONAL: envOptional(),
      }),
    ).toEqual({ BENCH_T_STRING: 'table', BENCH_T_URL: 'https://example.com/q', BENCH_T_FLAG: true, BENCH_T_INT: 250, BENCH_T_DEFAULT: 'admin', BENCH_T_OPTIONAL: undefined });
    delete process.env.BENCH_T_FLAG;
    delete process.env.BENCH_T_INT;
    expect(readEnv({ BENCH_T_FLAG: envFlag(true), BENCH_T_INT: envInt(100) })).toEqual({ BENCH_T_FLAG: true, BENCH_T_INT: 100 });
  });

  it('names every bad setting in one error', () => {
    Object.assign(process.env, { BENCH_T_STRING: '', BENCH_T_URL: 'not a url', BENCH_T_INT: '1.5' });
    expect(() => readEnv({ BENCH_T_STRING: envString(), BENCH_T_URL: envUrl(), BENCH_T_INT: envInt(1) })).toThrow(
      /^Invalid configuration: BENCH_T_STRING: .+; BENCH_T_URL: .+; BENCH_T_INT: expected an integer, got "1\.5"$/,
    );
  });
});
