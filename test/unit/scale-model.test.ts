import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { firstLimit, livePosts, peakRate, roundDau, shareSquares, topShare, type Figure, type ScaleProfile } from '../../bench/scale-model.ts';
import { PROJECT_ROOT } from '../../lib/project.ts';

// The repository's copy: a clean clone (CI) has no ../shared next to it.
const profile = JSON.parse(readFileSync(path.resolve(PROJECT_ROOT, 'bench', 'profiles', 'community.json'), 'utf8')) as ScaleProfile;

describe('scale model arithmetic', () => {
  it('turns a per-DAU-day load into a peak rate per second', () => {
    // 16 feed pages a day for a million users at 3x peak: 555.6 per second.
    expect(peakRate(16, 1_000_000, profile)).toBeCloseTo((16 * 1e6 * profile.peak_factor) / 86_400, 6);
    expect(peakRate(16, 2_000_000, profile)).toBeCloseTo(2 * peakRate(16, 1_000_000, profile), 6);
  });

  it('counts the posts of the live window', () => {
    expect(livePosts(1_000_000, profile)).toBeCloseTo(1e6 * profile.http.post_create! * (profile.popularity.live_posts_hours / 24), 6);
  });

  it('gives the top post of n Zipf(1) posts 1/H(n) of the load, shrinking as n grows', () => {
    expect(topShare(1, 1)).toBe(1);
    expect(topShare(4, 1)).toBeCloseTo(1 / (1 + 1 / 2 + 1 / 3 + 1 / 4), 9);
    // Beyond the exact sum the tail is integrated: H(10^6) = ln(10^6) + 0.5772 within 1e-5.
    expect(1 / topShare(1e6, 1)).toBeCloseTo(Math.log(1e6) + 0.5772157, 4);
    expect(topShare(1e6, 1)).toBeLessThan(topShare(1e5, 1));
  });

  it('sums squared shares (a post group audience weighted by its events)', () => {
    expect(shareSquares(1, 1)).toBe(1);
    expect(shareSquares(2, 1)).toBeCloseTo((1 + 1 / 4) / 1.5 ** 2, 9);
  });

  it('finds the first size at which a figure passes its limit, and which', () => {
    const figures: Figure[] = [
      { what: 'linear', limit: 1000, dataLayer: true, at: (dau) => dau / 1000 },
      { what: 'quadratic', limit: 1000, dataLayer: false, at: (dau) => (dau / 10_000) ** 2 },
    ];
    const both = firstLimit(figures)!;
    expect(both.what).toBe('quadratic');
    expect(both.dau).toBeGreaterThan(316_000);
    expect(both.dau).toBeLessThan(320_000);
    const linear = firstLimit(figures.filter((f) => f.dataLayer))!;
    expect(linear.what).toBe('linear');
    expect(linear.dau / 1e6).toBeCloseTo(1, 1);
    expect(firstLimit([{ what: 'flat', limit: 10, dataLayer: true, at: () => 1 }])).toBeUndefined();
  });

  it('rounds sizes to three significant digits', () => {
    expect(roundDau(1_234_567)).toBe('1,230,000');
    expect(roundDau(472_911)).toBe('473,000');
    expect(roundDau(20_612)).toBe('20,600');
  });
});
