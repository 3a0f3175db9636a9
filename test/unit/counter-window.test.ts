import { describe, expect, it } from 'vitest';
import { FEED_POSTS_PER_FLUSH, feedWindowSeconds } from '../../lambdas/core/counter-config.ts';

describe("the feed's counter window", () => {
  it('is the floor while the audience fits the budget, then widens so posts x audience / window stays within it', () => {
    expect(feedWindowSeconds(0, 2000, 10)).toBe(10);
    expect(feedWindowSeconds(10_000, 2000, 10)).toBe(10);
    // 2 posts x 100,000 watchers / 2,000 calls/s = 100 s
    expect(feedWindowSeconds(100_000, 2000, 10)).toBe(100);
    for (const audience of [1, 999, 10_001, 123_456, 1_000_000]) {
      const window = feedWindowSeconds(audience, 2000, 10);
      expect(window).toBeGreaterThanOrEqual(10);
      if (window < 900) expect((FEED_POSTS_PER_FLUSH * audience) / window).toBeLessThanOrEqual(2000);
    }
  });

  it("stops at SQS's 15-minute delay", () => {
    expect(feedWindowSeconds(10_000_000, 2000, 10)).toBe(900);
  });
});
