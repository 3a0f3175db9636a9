/**
 * The clock of view statistics: views count in UTC hours (`yyyymmddhh`, the hourly bucket a view
 * lands in) and UTC days (`YYYY-MM-DD`, what view_stats reports). Everything takes the time it works
 * from, so tests can place views and reads at chosen instants.
 */
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export function hourOf(at: Date | string): string {
  return new Date(at).toISOString().slice(0, 13).replace(/[-T]/g, '');
}

/** When an hour starts, in epoch seconds. */
export function hourStartSeconds(hour: string): number {
  const start = Date.UTC(Number(hour.slice(0, 4)), Number(hour.slice(4, 6)) - 1, Number(hour.slice(6, 8)), Number(hour.slice(8, 10)));
  return Math.floor(start / 1000);
}

/** The `count` hours ending with the one `now` is in, newest first: "the last 24 hours" is `lastHours(now, 24)`. */
export function lastHours(now: Date, count: number): string[] {
  return Array.from({ length: count }, (_, back) => hourOf(new Date(now.getTime() - back * HOUR_MS)));
}

export function dayOf(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** The `count` UTC days ending with today, newest first. */
export function lastDays(now: Date, count: number): string[] {
  return Array.from({ length: count }, (_, back) => dayOf(new Date(now.getTime() - back * DAY_MS)));
}

/** The day an hour belongs to, as `YYYY-MM-DD`. */
export function dayOfHour(hour: string): string {
  return `${hour.slice(0, 4)}-${hour.slice(4, 6)}-${hour.slice(6, 8)}`;
}

/** The first and last hour of a day given as `YYYY-MM-DD`. */
export function hoursOfDay(day: string): { first: string; last: string } {
  const compact = day.replace(/-/g, '');
  return { first: `${compact}00`, last: `${compact}23` };
}
