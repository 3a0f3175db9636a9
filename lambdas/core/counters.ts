import { groupHasMembers } from '../repositories/connections.ts';
import { claimFeedFlush, claimPostFlush, claimPostFlushRaisingSent, markFeedChanged, type Claim, type CounterAudience } from '../repositories/counters.ts';
import { groups } from './groups.ts';
import { counterConfig, MAX_WINDOW_SECONDS, POST_TRAILING_DELAY_SECONDS, POST_WINDOW_MS } from './counter-config.ts';
import { queueBatchSender } from './sqs.ts';

/**
 * Coalesced view counters. A counted view does not send `ventroom_post_view_updated` itself: it
 * claims the next flush of its post's group (at most one per POST_WINDOW_MS) and of the feed (at
 * most one per FEED_COUNTER_WINDOW_SECONDS), and the one caller whose claim wins schedules that
 * flush on the broadcast queue. The flush reads the count when it runs (domain/counter-flush.ts),
 * so every view counted before it is in the number it sends. Views at any rate cost a group one
 * message per window; the feed gets at most FEED_POSTS_PER_FLUSH posts' counts per window, newest
 * posts first, the rest left for the next windows.
 *
 * A post's flush runs at once (the leading edge: a quiet post's first view is on screen within the
 * pipeline's time), and the claim also schedules a trailing flush a second later, for the views
 * counted during the window, whose claims lost: it sends only if the count rose meanwhile, and
 * claims a window like any flush (domain/counter-flush.ts). The feed's flush runs at its window's
 * end: its window is ten seconds and more, a trailing edge by itself.
 */
/**
 * The feed's claim lasts a little less than its job's delay, so a view whose claim lost to one (a
 * clock a little ahead of the claimer's included) was committed before that job, delayed the full
 * window, reads the count.
 */
const FEED_CLAIM_MARGIN_MS = 100;

export type CounterJob = { counter: 'post'; post_id: number; trailing?: true } | { counter: 'feed' };

/** On a counter's broadcast jobs: delivery drops the count once its audience was sent a higher one. */
export interface CounterGuard {
  post_id: number;
  audience: CounterAudience;
  views: number;
}

const sendJobs = queueBatchSender<CounterJob>('broadcast');

/** When, as far as this instance knows, each flush is next claimable: skips a claim doomed to fail. */
const knownDue = new Map<string, number>();
const KNOWN_DUE_LIMIT = 10_000;

const knownPending = (cacheKey: string, nowMs: number) => (knownDue.get(cacheKey) ?? 0) > nowMs;

/** Bounded: an instance that lives through many posts forgets them all at once rather than grow. */
function rememberDue(cacheKey: string, dueMs: number): void {
  if (knownDue.size >= KNOWN_DUE_LIMIT) knownDue.clear();
  knownDue.set(cacheKey, dueMs);
}

/** Claims a flush unless this instance knows it is pending; true when this caller won it. */
async function claimKnown(cacheKey: string, nowMs: number, marginMs: number, claimWith: (nowMs: number, marginMs: number) => Promise<Claim>): Promise<Claim | undefined> {
  if (knownPending(cacheKey, nowMs)) return undefined;
  const claim = await claimWith(nowMs, marginMs);
  rememberDue(cacheKey, claim.claimed ? nowMs + claim.windowMs - marginMs : claim.dueMs);
  return claim;
}

/** Claims the next window of a post's group counter: the one flush it allows, and its trailing flush, are the winner's to run. */
export async function claimPostWindow(postId: number, nowMs = Date.now()): Promise<boolean> {
  // No margin: the flush that covers a lost claim's views is the trailing one, a second later, well past the window.
  const claim = await claimKnown(`post:${postId}`, nowMs, 0, (now, margin) => claimPostFlush(postId, now, POST_WINDOW_MS, margin));
  return claim?.claimed === true;
}

/**
 * A trailing flush's window, claimed only if `views` is more than the group was sent; `views` is
 * then recorded as sent (one write for both). True when this caller is to send it.
 */
export async function claimTrailingPostWindow(postId: number, views: number, nowMs = Date.now()): Promise<boolean> {
  const cacheKey = `post:${postId}`;
  if (knownPending(cacheKey, nowMs)) return false;
  if (!(await claimPostFlushRaisingSent(postId, views, nowMs, POST_WINDOW_MS))) return false;
  rememberDue(cacheKey, nowMs + POST_WINDOW_MS);
  return true;
}

/** The flush that covers the views counted during a post's window, whose claims lost to it. */
export function scheduleTrailingPostFlush(postId: number): Promise<void> {
  return sendJobs([{ counter: 'post', post_id: postId, trailing: true }], [POST_TRAILING_DELAY_SECONDS]);
}

/**
 * Flushes a post's group counter now (and a second later for what comes meanwhile) unless its
 * window is taken or nobody is on the post's screen. Most posts have nobody there: one key read
 * instead of a claim, two broadcast jobs and their flushes. A connection that joins later misses
 * nothing by it: a flush before its join would have reached nobody either, and an app that reads
 * the count after the join's reply is in the group for every view counted after that read.
 */
export async function schedulePostFlush(postId: number, nowMs = Date.now()): Promise<void> {
  if (knownPending(`post:${postId}`, nowMs)) return;
  if (!(await groupHasMembers(groups.post(postId)))) return;
  if (!(await claimPostWindow(postId, nowMs))) return;
  await sendJobs(
    [
      { counter: 'post', post_id: postId },
      { counter: 'post', post_id: postId, trailing: true },
    ],
    [0, POST_TRAILING_DELAY_SECONDS],
  );
}

/** Schedules a flush of the feed's counters unless one is pending (the flush itself re-arms it while posts are left). */
export async function scheduleFeedFlush(nowMs = Date.now()): Promise<void> {
  const claim = await claimKnown('feed', nowMs, FEED_CLAIM_MARGIN_MS, (now, margin) => claimFeedFlush(now, counterConfig.FEED_COUNTER_WINDOW_SECONDS * 1000, margin));
  if (claim?.claimed) await sendJobs([{ counter: 'feed' }], [Math.min(MAX_WINDOW_SECONDS, Math.ceil(claim.windowMs / 1000))]);
}

/**
 * The counts of these posts changed: the feed will be told within its window. (Each post's own
 * group is told by schedulePostFlush, which the views worker calls as soon as that post's count
 * is committed, not after the whole batch: a batch of 40 posts would otherwise keep the first
 * post's screen waiting for the other 39 transactions.) Throws when the change could not be
 * recorded or scheduled (the caller's messages are retried: counting again finds the views counted
 * and schedules again).
 */
export async function feedCountersChanged(postIds: number[], nowMs = Date.now()): Promise<void> {
  if (postIds.length === 0) return;
  await markFeedChanged(postIds, nowMs);
  await scheduleFeedFlush(nowMs);
}
