import { describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMITS, parseRateLimits } from '../../lambdas/core/rate-limit-spec.ts';

/** The one RATE_LIMITS syntax: the handlers parse it at cold start, the CDK app at synth. */
describe('RATE_LIMITS', () => {
  it('overrides the spec defaults class by class', () => {
    expect(parseRateLimits(undefined)).toEqual({ standard: 100, create: 20, reaction: 60, views: 300, socket: 120 });
    expect(parseRateLimits('create=5, reaction = 7,views=9,socket=30')).toEqual({ ...DEFAULT_RATE_LIMITS, create: 5, reaction: 7, views: 9, socket: 30 });
  });

  it('refuses unknown classes, extra "=", non-integers, zero and blank entries', () => {
    for (const bad of ['view=5', 'none=5', 'toString=5', 'standard=100=5', 'standard=1.5', 'standard=0', 'standard', 'standard=', 'standard=1, ']) {
      expect(() => parseRateLimits(bad), bad).toThrow(/^bad entry "/);
    }
  });
});
