import { envInt, readEnv } from '../core/config.ts';
import { hourOf, lastHours } from '../core/view-time.ts';
import { viewTotals } from '../repositories/posts.ts';
import {
  claimTrendingRefresh,
  readTrendingSnapshot,
  saveTrendingSnapshot,
  viewsInHour,
  type TrendingEntry,
  type TrendingSnapshot,
} from '../repositories/trending.ts';

const config = readEnv({
  /** How old the trending snapshot may get before a views batch or a reader recomputes it. */
  TRENDING_REFRESH_SECONDS: envInt(60),
});

export const TRENDING_SIZE = 20;
const WINDOW_HOURS = 24;
/** A claim older than this is abandoned (its holder crashed or timed out): someone else may refresh. */
const CLAIM_LEASE_MS = 20_000;
/** Stats read to rank ties and skip deleted posts; beyond it, ties go to the newest post. */
const MAX_CANDIDATES = 200;

const refreshMs = () => config.TRENDING_REFRESH_SECONDS * 1000;

function byRank(a: TrendingEntry, b: TrendingEntry): number {
  return b.recentViews - a.recentViews || b.totalViews - a.totalViews || b.postId - a.postId;
}

/**
 * The trending list for `now`: the posts with the most views in the last 24 hours (the hour `now` is
 * in and the 23 before it), then the most views in total. Reads the 24 hours' buckets from the
 * ViewsByHour index (24 parallel Queries: the cost follows how many posts were viewed in the last day,
 * never how many exist), then the total views of just enough candidates to fill 20 places and order
 * every tie at the 20th; deleted posts (no counters any more) drop out and the next ones move up.
 */
export async function computeTrending(now: Date): Promise<TrendingEntry[]> {
  const recent = new Map<number, number>();
  for (const hour of await Promise.all(lastHours(now, WINDOW_HOURS).map(viewsInHour))) {
    for (const [postId, n] of hour) recent.set(postId, (recent.get(postId) ?? 0) + n);
  }
  const ranked = [...recent].filter(([, n]) => n > 0).sort(([a, x], [b, y]) => y - x || b - a);
  const candidates = Math.min(ranked.length, MAX_CANDIDATES);
  const picked: TrendingEntry[] = [];
  let next = 0;
  while (picked.length < TRENDING_SIZE && next < candidates) {
    let end = Math.min(candidates, next + TRENDING_SIZE - picked.length);
    // Take every post tied with the last one taken, so total views can order them.
    while (end < candidates && ranked[end]![1] === ranked[end - 1]![1]) end++;
    const slice = ranked.slice(next, end);
    const totals = await viewTotals(slice.map(([postId]) => postId));
    for (const [postId, recentViews] of slice) {
      const totalViews = totals.get(postId);
      if (totalViews !== undefined) picked.push({ postId, recentViews, totalViews });
    }
    next = end;
  }
  return picked.sort(byRank).slice(0, TRENDING_SIZE);
}

function isFresh(snapshot: TrendingSnapshot | undefined, now: Date): boolean {
  return snapshot !== undefined && Math.abs(now.getTime() - snapshot.computedAt) < refreshMs();
}

/** Recomputes and saves the hour's snapshot if this caller wins the claim; undefined when someone else does. */
async function refresh(hour: string, now: Date): Promise<TrendingEntry[] | undefined> {
  const claimedAt = now.getTime();
  if (!(await claimTrendingRefresh(hour, claimedAt, refreshMs(), CLAIM_LEASE_MS))) return undefined;
  const entries = await computeTrending(now);
  await saveTrendingSnapshot(hour, { computedAt: claimedAt, entries }, claimedAt);
  return entries;
}

/**
 * The trending list a reader gets. Snapshots are kept per hour (the window slides by the hour, so
 * each hour's list is its own item): the current hour's snapshot while fresh; else this reader
 * refreshes it (if it wins the claim) or serves the stale one while another caller refreshes; in
 * the first moments of an hour, before its first snapshot exists, the previous hour's. Only with
 * nothing to serve does a losing reader compute the list for itself, without saving it.
 */
export async function trendingEntries(now: Date): Promise<TrendingEntry[]> {
  const [hour, previousHour] = lastHours(now, 2) as [string, string];
  const snapshot = await readTrendingSnapshot(hour);
  if (snapshot && isFresh(snapshot, now)) return snapshot.entries;
  const refreshed = await refresh(hour, now);
  if (refreshed) return refreshed;
  if (snapshot && snapshot.computedAt < now.getTime() + refreshMs()) return snapshot.entries;
  const previous = await readTrendingSnapshot(previousHour);
  return previous ? previous.entries : computeTrending(now);
}

/** After a views batch: keeps the current hour's snapshot fresh so readers rarely pay for a refresh. */
export async function refreshTrendingIfStale(now: Date): Promise<void> {
  const hour = hourOf(now);
  if (!isFresh(await readTrendingSnapshot(hour), now)) await refresh(hour, now);
}
