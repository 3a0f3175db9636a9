import { envInt, readEnv } from './config.ts';

/**
 * The coalesced counters' windows and budget (core/counters.ts), apart from the code that claims and
 * schedules flushes so the scale model and the benchmarks can size windows without a queue.
 */
/**
 * A post's group hears its count at most once per window, and the flush runs at the window's start
 * (core/counters.ts): half a second keeps the count a post screen holds under a second old, a
 * whole second could not (its flushes would be a second apart plus the pipeline).
 */
export const POST_WINDOW_MS = 500;
/** The trailing flush that covers views counted during a post's window: SQS delays come in whole seconds. */
export const POST_TRAILING_DELAY_SECONDS = 1;
export const FEED_POSTS_PER_FLUSH = 2;
export const counterConfig = readEnv({
  /** The feed group's shortest counter window: at most FEED_POSTS_PER_FLUSH counter messages per feed watcher per window. */
  FEED_COUNTER_WINDOW_SECONDS: envInt(10),
  /**
   * `@connections` calls per second the feed's counters may spend (the stack's `counterBudget`
   * context; default 20% of the account's default 10,000 requests/s API Gateway throttle). The
   * feed's window widens so FEED_POSTS_PER_FLUSH x audience / window stays within it.
   */
  COUNTER_BUDGET_PER_SECOND: envInt(2000),
});

/** SQS delays a message by 15 minutes at most: the widest window. */
export const MAX_WINDOW_SECONDS = 900;

/** The feed's window for an audience: the shortest that keeps its counter calls within the budget. */
export function feedWindowSeconds(audience: number, budgetPerSecond = counterConfig.COUNTER_BUDGET_PER_SECOND, floorSeconds = counterConfig.FEED_COUNTER_WINDOW_SECONDS): number {
  const needed = Math.ceil((FEED_POSTS_PER_FLUSH * audience) / Math.max(1, budgetPerSecond));
  return Math.min(MAX_WINDOW_SECONDS, Math.max(floorSeconds, needed));
}
