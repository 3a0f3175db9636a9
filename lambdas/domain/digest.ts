import { counterConfig, MAX_WINDOW_SECONDS } from '../core/counter-config.ts';
import { envInt, readEnv } from '../core/config.ts';
import { groups } from '../core/groups.ts';
import { serverMessage } from '../core/messages.ts';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { setTimeout as sleep } from 'node:timers/promises';
import { batchFrame, MAX_FRAME_BYTES, type Skipped } from './batch-frame.ts';
import { metrics } from '../core/metrics.ts';
import { queueSender } from '../core/sqs.ts';
import { addToDigest, armDigest, commitDigest, digestState, type DigestState } from '../repositories/digests.ts';
import { framesAt } from '../repositories/history.ts';
import { viewTotals } from '../repositories/posts.ts';

/**
 * Protocol 2 (docs/realtime.md): a connection that asked for it at `$connect` gets no frame per
 * event. Each group's events and changed view counts collect in its digest state
 * (repositories/digests.ts); one armed digest a group runs (at once when the group's last frame
 * is an interval old or more, else an interval after it) and sends its
 * protocol-2 members a `batch` frame: the events in order, then the latest counts, at most 32 KB
 * (one billed message). The feed's interval widens with its audience so its digests stay inside
 * the fan-out budget, and its counts go out at most every WS_DIGEST_FEED_COUNTER_SECONDS unless
 * they ride on a frame that carries events anyway.
 */
const config = readEnv({
  /** The feed digests' shortest spacing of counts (a feed card's count needs no faster ticks). */
  WS_DIGEST_FEED_COUNTER_SECONDS: envInt(30),
});

/** Every group but the feed: the post screen's 1 s. */
const GROUP_INTERVAL_MS = 1000;
/** Most events one digest reads from history (a frame holds fewer of any real size). */
const MAX_EVENTS_PER_DIGEST = 100;
/**
 * A group with more events waiting than this many frames carry (or more than one digest reads) is
 * not catching up: its digest sends the newest events that fit one frame and tells the client how
 * many older ones it skipped. A burst waits its turn, in order; a feed whose events outrun its
 * interval (a very big audience) stays current instead of falling further behind.
 */
const MAX_BACKLOG_FRAMES = 3;

export interface DigestJob {
  digest: string;
  fire_at: number;
  interval_ms: number;
}

const sendDigestJob = queueSender<DigestJob>('broadcast');

/** The group's digest interval: the feed's keeps audience / interval within the budget. */
export function digestIntervalMs(group: string, audience: number, budgetPerSecond = counterConfig.COUNTER_BUDGET_PER_SECOND): number {
  if (group !== groups.feed) return GROUP_INTERVAL_MS;
  return Math.min(MAX_WINDOW_SECONDS, Math.max(1, Math.ceil(audience / Math.max(1, budgetPerSecond)))) * 1000;
}

/** The shortest spacing of a group's counts in its digests. */
export function countsGapMs(group: string, intervalMs: number): number {
  return group === groups.feed ? Math.max(intervalMs, config.WS_DIGEST_FEED_COUNTER_SECONDS * 1000) : intervalMs;
}

/**
 * An armed digest this far past its time lost its job (a failed send, a job in the dead-letter
 * queue): the next event arms a new one. Longer than the broadcast job's retries take.
 */
const LOST_AFTER_MS = 5 * 60 * 1000;

/**
 * SQS delays in whole seconds. A job rounded up would run up to a second late, and a post screen
 * whose counts change all the time would get a frame every two seconds instead of every one; so a
 * job goes with the whole seconds and its digest waits out the rest, under a second (untilDue).
 */
const MAX_WAIT_MS = 1000;

async function arm(group: string, fireAtMs: number, intervalMs: number, nowMs: number): Promise<void> {
  const delaySeconds = Math.min(MAX_WINDOW_SECONDS, Math.max(0, Math.floor((fireAtMs - nowMs) / 1000)));
  if (await armDigest(group, fireAtMs, nowMs - LOST_AFTER_MS)) await sendDigestJob({ digest: group, fire_at: fireAtMs, interval_ms: intervalMs }, delaySeconds);
}

/** Arms what the state still holds: events after one interval, counts once they are due as well. */
async function armFor(group: string, state: DigestState, intervalMs: number, nowMs: number): Promise<void> {
  if (state.pending.length) return arm(group, nowMs + intervalMs, intervalMs, nowMs);
  if (state.counted.length) return arm(group, Math.max(nowMs + intervalMs, state.countersDueMs), intervalMs, nowMs);
}

/**
 * An event (its offset in `group`) or a changed count (`postId`) for the group's protocol-2
 * members, `audience` the group's whole audience (both protocols share the budget).
 */
export async function noteForDigest(group: string, note: { offset: number } | { postId: number }, audience: number, nowMs = Date.now()): Promise<void> {
  const intervalMs = digestIntervalMs(group, audience);
  const state = await addToDigest(group, note, nowMs);
  // The leading edge: a group that had no frame for an interval gets this one now (a quiet post
  // screen's event is not held back a second); a busy one, an interval after its last frame.
  const earliestMs = Math.max(nowMs, state.nextDueMs);
  const wantedMs = 'offset' in note ? earliestMs : Math.max(earliestMs, state.countersDueMs);
  // An armed digest that runs no later carries this too.
  if (state.fireAtMs !== undefined && state.fireAtMs <= wantedMs && state.fireAtMs >= nowMs - LOST_AFTER_MS) return;
  await arm(group, wantedMs, intervalMs, nowMs);
}

export interface Digest {
  frame: string;
  offsets: number[];
  posts: number[];
}

/**
 * What a due digest sends: as many of the pending events as fit one frame, in order (the oldest
 * first, or, past MAX_BACKLOG_FRAMES, the newest and a `skipped` note for the older), then the
 * latest counts of the changed posts if they are due (or ride along with events) and fit.
 * Undefined when nothing is to be sent now. Offsets history no longer holds are dropped with it.
 */
async function nextDigest(group: string, state: DigestState, nowMs: number): Promise<Digest | undefined> {
  const offsets = state.pending.slice(-MAX_EVENTS_PER_DIGEST);
  const unread = state.pending.length - offsets.length;
  const stored = await framesAt(group, offsets);
  const now = new Date(nowMs);
  const present = new Map(stored.map((entry) => [entry.offset, entry.frame]));
  const bytesOf = (frame: string) => Buffer.byteLength(frame) + 1;
  const backlog = offsets.reduce((sum, offset) => sum + (present.has(offset) ? bytesOf(present.get(offset)!) : 0), 0);
  const overflow = unread > 0 || backlog > MAX_BACKLOG_FRAMES * MAX_FRAME_BYTES;
  // Sized for the largest note this digest could carry.
  const overhead = Buffer.byteLength(batchFrame(group, [], now, overflow ? { events: state.pending.length, through_offset: state.pending.at(-1)! } : undefined));
  const events: string[] = [];
  const taken: number[] = [];
  let size = overhead;
  let skipped: Skipped | undefined;
  if (overflow) {
    // Newest back to the oldest that fits; everything older leaves the state unsent.
    let first = offsets.length;
    while (first > 0) {
      const frame = present.get(offsets[first - 1]!);
      if (frame !== undefined) {
        if (events.length && size + bytesOf(frame) > MAX_FRAME_BYTES) break;
        events.unshift(frame);
        size += bytesOf(frame);
      }
      first--;
    }
    const left = state.pending.slice(0, unread + first);
    taken.push(...state.pending);
    if (left.length) {
      skipped = { events: left.length, through_offset: left.at(-1)! };
      metrics.addMetric('DigestEventsSkipped', MetricUnit.Count, left.length);
      metrics.publishStoredMetrics();
    }
  } else {
    for (const offset of offsets) {
      const frame = present.get(offset);
      if (frame === undefined) {
        taken.push(offset); // expired or never stored: nothing to send for it
        continue;
      }
      if (events.length && size + bytesOf(frame) > MAX_FRAME_BYTES) break;
      events.push(frame);
      taken.push(offset);
      size += bytesOf(frame);
    }
  }
  const posts: number[] = [];
  if (state.counted.length && (events.length || state.countersDueMs <= nowMs)) {
    const totals = await viewTotals(state.counted, true);
    for (const postId of state.counted) {
      const views = totals.get(postId);
      if (views === undefined) {
        posts.push(postId); // deleted since: no count to send
        continue;
      }
      const frame = JSON.stringify(serverMessage('ventroom_post_view_updated', { post_id: postId, views }, now));
      const bytes = Buffer.byteLength(frame) + 1;
      if (size + bytes > MAX_FRAME_BYTES) break;
      events.push(frame);
      posts.push(postId);
      size += bytes;
    }
  }
  if (events.length === 0 && !skipped) return taken.length || posts.length ? { frame: '', offsets: taken, posts } : undefined;
  return { frame: batchFrame(group, events, now, skipped), offsets: taken, posts };
}

/** Waits for `fireAtMs` (at most MAX_WAIT_MS: the part of its delay SQS could not hold); answers the time then. */
async function untilDue(fireAtMs: number): Promise<number> {
  const earlyMs = fireAtMs - Date.now();
  if (earlyMs > 0) await sleep(Math.min(earlyMs, MAX_WAIT_MS));
  return Date.now();
}

/**
 * Runs the digest armed for `job.fire_at`: builds it, hands it to `deliver` (the group's protocol-2
 * members), then commits what it sent and arms the next one for what is left. A superseded or
 * already committed job does nothing; a job that fails before its commit is retried and sends the
 * same events again (clients drop copies by `id`).
 */
export async function runDigest(job: DigestJob, deliver: (frame: string) => Promise<void>): Promise<void> {
  const nowMs = await untilDue(job.fire_at);
  const state = await digestState(job.digest);
  if (state.fireAtMs !== job.fire_at) return;
  const digest = await nextDigest(job.digest, state, nowMs);
  if (digest?.frame) await deliver(digest.frame);
  // Spaced from when the frame went, not from when it was built: the next one reaches a client an interval after this one.
  const sentMs = Date.now();
  const carriedCounts = (digest?.posts.length ?? 0) > 0;
  const left = await commitDigest(job.digest, job.fire_at, {
    offsets: digest?.offsets ?? [],
    posts: digest?.posts ?? [],
    countersDueMs: carriedCounts ? sentMs + countsGapMs(job.digest, job.interval_ms) : undefined,
    nextDueMs: digest?.frame ? sentMs + job.interval_ms : undefined,
  });
  if (left) await armFor(job.digest, left, job.interval_ms, sentMs);
}
