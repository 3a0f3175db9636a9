import type { BroadcastJob } from '../core/broadcast.ts';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { counterConfig, FEED_POSTS_PER_FLUSH, feedWindowSeconds } from '../core/counter-config.ts';
import { claimTrailingPostWindow, scheduleFeedFlush, scheduleTrailingPostFlush, type CounterGuard, type CounterJob } from '../core/counters.ts';
import { groups } from '../core/groups.ts';
import { serverMessage } from '../core/messages.ts';
import { metrics } from '../core/metrics.ts';
import { feedChanges, forgetFeedChanges, markFeedChanged, raiseSent, recordFeedWindow, type CounterAudience } from '../repositories/counters.ts';
import { viewTotals } from '../repositories/posts.ts';

/**
 * A due counter flush (core/counters.ts) becomes the broadcast jobs to deliver now: the latest
 * count, read when the flush runs, for each post it covers. A count is sent only if it is not below
 * one the audience was already sent (`raiseSent`), and its jobs carry that guard so a chunk that is
 * late or retried is dropped once a higher count went out. The feed's copy skips connections that
 * are also in the post's group: they get the post's counts from their group, every second, and one
 * stream per connection is what keeps each connection's counts in order.
 */
function counterJob(postId: number, views: number, audience: CounterAudience): BroadcastJob {
  const message = serverMessage('ventroom_post_view_updated', { post_id: postId, views });
  const guard: CounterGuard = { post_id: postId, audience, views };
  return audience === 'post'
    ? { message, audiences: [groups.post(postId)], counter_guard: guard }
    : { message, audiences: [groups.feed], except_audiences: [groups.post(postId)], counter_guard: guard };
}

/**
 * A post's flush: the leading one sends the count now. A trailing one (a second after a window was
 * claimed) sends only if the count rose past what the group was sent, and only in a window of its
 * own, which it leaves a trailing flush of its own; when the window is taken, that window's flushes
 * cover what it would have sent.
 */
async function flushPost(postId: number, trailing: boolean, nowMs: number, redelivered: boolean): Promise<BroadcastJob[]> {
  const views = (await viewTotals([postId], true)).get(postId);
  if (views === undefined) return []; // deleted since
  if (trailing) {
    if (!(await claimTrailingPostWindow(postId, views, nowMs))) return [];
    await scheduleTrailingPostFlush(postId);
    return [counterJob(postId, views, 'post')];
  }
  // Two leading flushes a window apart, the first one late, read the same count: the second sends
  // nothing (a redelivered one does: it may have failed after recording its count).
  return (await raiseSent(postId, 'post', views, nowMs, redelivered)) ? [counterJob(postId, views, 'post')] : [];
}

/** The newest changed posts (ids grow with time), out of the changed set before their counts are read. */
async function flushFeed(nowMs: number): Promise<BroadcastJob[]> {
  const changes = await feedChanges();
  const chosen = new Map([...changes].sort(([a], [b]) => b - a).slice(0, FEED_POSTS_PER_FLUSH));
  // Out first: a view counted from now on puts its post back, so no count falls between the two.
  await forgetFeedChanges(chosen);
  try {
    const totals = await viewTotals([...chosen.keys()], true);
    const jobs: BroadcastJob[] = [];
    for (const [postId, views] of totals) if (await raiseSent(postId, 'feed', views, nowMs)) jobs.push(counterJob(postId, views, 'feed'));
    if (changes.size > chosen.size) await scheduleFeedFlush(nowMs);
    metrics.addMetric('FeedCounterPostsSent', MetricUnit.Count, jobs.length);
    metrics.addMetric('FeedCounterPostsWaiting', MetricUnit.Count, changes.size - chosen.size);
    metrics.publishStoredMetrics();
    return jobs;
  } catch (error) {
    // Back in, so the retry of this job (or the next flush) covers them.
    await markFeedChanged([...chosen.keys()], nowMs);
    throw error;
  }
}

/**
 * The fan-out found how many connections a feed counter goes to: the next windows are sized from it
 * (core/counters.ts feedWindowSeconds), and the budget's state goes out as metrics.
 */
export async function feedCounterAudience(audience: number, nowMs = Date.now()): Promise<void> {
  const windowSeconds = feedWindowSeconds(audience);
  await recordFeedWindow(audience, windowSeconds * 1000, nowMs);
  metrics.addMetric('FeedCounterWindow', MetricUnit.Seconds, windowSeconds);
  metrics.addMetric('FeedCounterAudience', MetricUnit.Count, audience);
  metrics.addMetric('FeedCounterCallsPerSecond', MetricUnit.CountPerSecond, (FEED_POSTS_PER_FLUSH * audience) / windowSeconds);
  metrics.addMetric('CounterBudgetPerSecond', MetricUnit.CountPerSecond, counterConfig.COUNTER_BUDGET_PER_SECOND);
  metrics.publishStoredMetrics();
}

/** `redelivered`: this job was received before (SQS's receive count), so it may have failed midway. */
export function flushCounters(job: CounterJob, nowMs = Date.now(), redelivered = false): Promise<BroadcastJob[]> {
  return job.counter === 'post' ? flushPost(job.post_id, job.trailing === true, nowMs, redelivered) : flushFeed(nowMs);
}
