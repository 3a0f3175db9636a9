/**
 * The scale model's arithmetic, apart from the run that records: how a recorded per-DAU-day load
 * becomes a rate at a target size, and where each rate meets its limit. Plain functions of plain
 * data, so they are unit tested (test/unit/scale-model.test.ts).
 */
export interface ScaleProfile {
  name: string;
  peak_factor: number;
  peak_concurrent_fraction: number;
  sessions: number;
  minutes_connected_per_session: number;
  http: Record<string, number> & { mark_as_viewed_ids_per_call: number; post_create_with_media_fraction: number };
  counted_views: number;
  websocket: { connects: number; join_ventroom: number; join_ventroom_post: number; leave_ventroom_post: number; ping_every_seconds: number };
  popularity: { zipf_exponent: number; live_posts_hours: number };
  targets_dau: number[];
}

export const LIMITS = {
  partitionRcu: 3000,
  partitionWcu: 1000,
  apiGatewayRequests: 10_000,
  newConnections: 500,
  lambdaConcurrency: 1000,
};

const DAY_SECONDS = 86_400;

/** A per-DAU-per-day quantity as a rate per second at `dau`, at the profile's peak. */
export function peakRate(perDauDay: number, dau: number, profile: ScaleProfile): number {
  return (perDauDay * dau * profile.peak_factor) / DAY_SECONDS;
}

/** Posts created in the profile's live window (Zipf popularity spreads over these). */
export function livePosts(dau: number, profile: ScaleProfile): number {
  return Math.max(1, dau * (profile.http.post_create ?? 0) * (profile.popularity.live_posts_hours / 24));
}

/** Generalised harmonic number H(n, s), exact up to 10^5 terms, then by its integral tail. */
function harmonic(n: number, s: number): number {
  const exact = Math.min(Math.floor(n), 100_000);
  let sum = 0;
  for (let k = 1; k <= exact; k++) sum += 1 / k ** s;
  if (n > exact) sum += s === 1 ? Math.log(n / exact) : (n ** (1 - s) - exact ** (1 - s)) / (1 - s);
  return sum;
}

/** The share of all per-post load that the most popular of `n` posts takes under Zipf(s). */
export function topShare(n: number, s: number): number {
  return 1 / harmonic(Math.max(1, n), s);
}

/**
 * Σ share² over `n` Zipf posts: how much of a post-group broadcast's audience an event meets when
 * both the events of a post and the members of its group follow its popularity.
 */
export function shareSquares(n: number, s: number): number {
  return harmonic(Math.max(1, n), 2 * s) / harmonic(Math.max(1, n), s) ** 2;
}

/**
 * Σ min(rate x share, cap) x share over `n` Zipf posts: a post group's protocol-2 frames per member
 * (at most `cap` a second, however many events) when a post's events (rate x share) and its
 * members both follow its popularity. The few posts busy enough to hit the cap are summed one by
 * one, the rest by Σ share² less theirs.
 */
export function cappedShareSquares(n: number, s: number, rate: number, cap = 1): number {
  const h = harmonic(Math.max(1, n), s);
  let capped = 0;
  let headSquares = 0;
  for (let k = 1; k <= n; k++) {
    const share = 1 / k ** s / h;
    if (rate * share < cap) break;
    capped += cap * share;
    headSquares += share * share;
  }
  return capped + rate * Math.max(0, shareSquares(n, s) - headSquares);
}

/** One rate the model holds against a limit, as a function of the size. */
export interface Figure {
  what: string;
  limit: number;
  /** Whether it belongs to the data layer (everything but WebSocket fan-out). */
  dataLayer: boolean;
  at(dau: number): number;
}

/**
 * The smallest size at which any figure passes its limit, scanning sizes in 1% steps from 1,000 to
 * 10^10 DAU (the figures grow with size, some faster than linearly); undefined if none does.
 */
export function firstLimit(figures: Figure[]): { dau: number; what: string } | undefined {
  for (let dau = 1000; dau <= 1e10; dau *= 1.01) {
    const over = figures.find((figure) => figure.at(dau) > figure.limit);
    if (over) return { dau, what: over.what };
  }
  return undefined;
}

/** 1,234,567 → "1,230,000": three significant digits, as a size is only known that well. */
export function roundDau(dau: number): string {
  const digits = Math.max(0, Math.floor(Math.log10(dau)) - 2);
  return (Math.round(dau / 10 ** digits) * 10 ** digits).toLocaleString('en-US');
}
