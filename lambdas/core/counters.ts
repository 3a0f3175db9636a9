import { claimFeedFlush, claimPostFlush, markFeedChanged, type Claim, type CounterAudience } from '../repositories/counters.ts';
import { counterConfig, MAX_WINDOW_SECONDS, POST_WINDOW_SECONDS } from './counter-config.ts';
import { queueSender } from './sqs.ts';

/**
 * Coalesced view counters. A counted view does not send `ventroom_post_view_updated` itself: it
 * claims the next flush of its post's group (at most one per POST_WINDOW_SECONDS) and of the feed
 * (at most one per FEED_COUNTER_WINDOW_SECONDS), and the one caller whose claim wins schedules that
 * flush as a delayed job on the broadcast queue. The flush reads the count when it runs
 * (domain/counter-flush.ts), so every view counted before it is in the number it sends, and a view
 * counted after a claim and before its flush needs nothing more. Views at any rate cost a group one
 * message per window; the feed gets at most FEED_POSTS_PER_FLUSH posts' counts per window, newest
 * posts first, the rest left for the next windows.
 */
/**
 * A claim lasts a little less than its job's delay, so a view whose claim lost to one (a clock a
 * little ahead of the claimer's included) was committed before that job, delayed the full window,
 * reads the count.
 */
const CLAIM_MARGIN_MS = 100;

export type CounterJob = { counter: 'post'; post_id: number } | { counter: 'feed' };

/** On a counter's broadcast jobs: delivery drops the count once its audience was sent a higher one. */
export interface CounterGuard {
  post_id: number;
  audience: CounterAudience;
  views: number;
}

const sendJob = queueSender<CounterJob>('broadcast');

/** When, as far as this instance knows, each flush is next claimable: skips a claim doomed to fail. */
const knownDue = new Map<string, number>();
const KNOWN_DUE_LIMIT = 10_000;

async function claimAndSchedule(cacheKey: string, nowMs: number, claimWith: (nowMs: number) => Promise<Claim>, job: CounterJob): Promise<void> {
  if ((knownDue.get(cacheKey) ?? 0) > nowMs) return;
  const claim = await claimWith(nowMs);
  if (knownDue.size >= KNOWN_DUE_LIMIT) knownDue.clear();
  knownDue.set(cacheKey, claim.claimed ? nowMs + claim.windowMs - CLAIM_MARGIN_MS : claim.dueMs);
  if (claim.claimed) await sendJob(job, Math.min(MAX_WINDOW_SECONDS, Math.ceil(claim.windowMs / 1000)));
}

/** Schedules a flush of a post's group counter unless one is pending. */
export function schedulePostFlush(postId: number, nowMs = Date.now()): Promise<void> {
  return claimAndSchedule(`post:${postId}`, nowMs, (now) => claimPostFlush(postId, now, POST_WINDOW_SECONDS * 1000, CLAIM_MARGIN_MS), { counter: 'post', post_id: postId });
}

/** Schedules a flush of the feed's counters unless one is pending (the flush itself re-arms it while posts are left). */
export function scheduleFeedFlush(nowMs = Date.now()): Promise<void> {
  return claimAndSchedule('feed', nowMs, (now) => claimFeedFlush(now, counterConfig.FEED_COUNTER_WINDOW_SECONDS * 1000, CLAIM_MARGIN_MS), { counter: 'feed' });
}

/**
 * The counts of these posts changed: both audiences will be told, each within its window. Throws
 * when the change could not be recorded or scheduled (the caller's messages are retried: counting
 * again finds the views counted and schedules again).
 */
export async function countersChanged(postIds: number[], nowMs = Date.now()): Promise<void> {
  if (postIds.length === 0) return;
  await markFeedChanged(postIds, nowMs);
  await Promise.all([...postIds.map((postId) => schedulePostFlush(postId, nowMs)), scheduleFeedFlush(nowMs)]);
}
