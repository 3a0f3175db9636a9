import type { Principal } from '../core/auth.ts';
import { NotFoundError } from '../core/errors.ts';
import { dayOfHour, hoursOfDay, lastDays, lastHours } from '../core/view-time.ts';
import { findPostStats } from '../repositories/posts.ts';
import { userPostState } from '../repositories/user-state.ts';
import { hourlyViews } from '../repositories/views.ts';
import type { ViewStatsDto } from './dto-schemas.ts';

/** Its schema is in dto-schemas.ts. */
export type { ViewStatsDto };

const DAYS = 7;
const RECENT_HOURS = 24;

/**
 * A post's view analytics, in UTC: the last 24 hours are the hour `now` is in and the 23 before it;
 * the last 7 days are today and the 6 days before, newest first, days without views as 0. Every view
 * is one user's first (and only) view, so unique viewers equal total views by construction. Three
 * reads in parallel (counters, the week's hour buckets, the caller's marker); it counts no view itself.
 */
export async function viewStats(principal: Principal, postId: number, now = new Date()): Promise<ViewStatsDto> {
  const days = lastDays(now, DAYS);
  const [stats, hourly, state] = await Promise.all([
    findPostStats(postId),
    hourlyViews(postId, hoursOfDay(days[DAYS - 1]!).first, hoursOfDay(days[0]!).last),
    userPostState(principal.id, postId),
  ]);
  if (!stats) throw new NotFoundError();
  const perDay = new Map<string, number>();
  for (const [hour, n] of hourly) perDay.set(dayOfHour(hour), (perDay.get(dayOfHour(hour)) ?? 0) + n);
  const recent = lastHours(now, RECENT_HOURS).reduce((sum, hour) => sum + (hourly.get(hour) ?? 0), 0);
  return {
    post_id: postId,
    total_views: stats.views,
    unique_viewers: stats.views,
    recent_views_24h: recent,
    views_last_7_days: days.map((date) => ({ date, views: perDay.get(date) ?? 0 })),
    has_user_viewed: state.viewed,
  };
}
