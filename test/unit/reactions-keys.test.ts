import { describe, expect, it } from 'vitest';
import { feedKeys, padId, userStateKeys } from '../../lambdas/core/keys.ts';
import { normalizeReaction, reactionCountsOf, reactionSummary } from '../../lambdas/core/reactions.ts';

describe('reactions', () => {
  it('accepts ❤ with or without U+FE0F and answers the documented ❤️', () => {
    expect(normalizeReaction('\u2764')).toBe('❤️');
    expect(normalizeReaction('\u2764\uFE0F')).toBe('❤️');
    expect(normalizeReaction('👍')).toBe('👍');
    expect(normalizeReaction('🔥')).toBeUndefined();
  });

  it('summarises counts: positive only, most used first, ties in spec order', () => {
    const counts = reactionCountsOf({ r_like: 2, r_love: 5, r_haha: 2, r_sad: 0 });
    expect(reactionSummary(counts)).toEqual([
      { reaction_type: '❤️', count: 5 },
      { reaction_type: '👍', count: 2 },
      { reaction_type: '😂', count: 2 },
    ]);
  });
});

describe('keys', () => {
  it('pads ids so string order is numeric order', () => {
    expect(padId(9) < padId(10)).toBe(true);
    expect(feedKeys.post(9).sk < feedKeys.postStats(9).sk).toBe(true);
    expect(feedKeys.postStats(9).sk < feedKeys.post(10).sk).toBe(true);
    expect(feedKeys.post(999_999_999_999).sk < feedKeys.count().sk).toBe(true);
    expect(feedKeys.postIdOf(feedKeys.postStats(42).sk)).toBe(42);
  });

  it('a page’s user-state range covers its posts and their comment reactions, nothing outside', () => {
    const { from, to } = userStateKeys.postRange(5, 7);
    const inside = [userStateKeys.post('u', 5).sk, userStateKeys.comment('u', 7, 123).sk, userStateKeys.post('u', 6).sk];
    const outside = [userStateKeys.post('u', 4).sk, userStateKeys.post('u', 8).sk, userStateKeys.comment('u', 4, 1).sk];
    for (const sk of inside) expect(sk >= from && sk <= to, sk).toBe(true);
    for (const sk of outside) expect(sk >= from && sk <= to, sk).toBe(false);
    expect(userStateKeys.parse(userStateKeys.comment('u', 7, 123).sk)).toEqual({ postId: 7, commentId: 123 });
  });
});
