import { describe, expect, it } from 'vitest';
import { groups } from '../../lambdas/core/groups.ts';
import { serverMessage } from '../../lambdas/core/messages.ts';
import { MAX_FRAME_BYTES } from '../../lambdas/domain/batch-frame.ts';
import { runDigest } from '../../lambdas/domain/digest.ts';
import { stampEvent } from '../../lambdas/domain/history.ts';
import { addToDigest, armDigest, digestState } from '../../lambdas/repositories/digests.ts';

/**
 * Protocol 2's backlog rule (domain/digest.ts): a group's digest carries one frame; a burst of up
 * to three frames of events waits its turn, oldest first and in order; more than that and the
 * digest sends the newest events that fit and `skipped`, so a group whose events outrun its
 * interval stays current instead of falling further behind. Run against DynamoDB Local, with the
 * digest called directly on a group no connection is in.
 */
let nextPost = 900_000_000 + Math.floor(Math.random() * 1_000_000);

/** `count` events of about `bytes` each in a fresh group's history and pending in its digest, armed. */
async function backlog(count: number, bytes: number) {
  const group = groups.post(nextPost++);
  const offsets: number[] = [];
  for (let i = 0; i < count; i++) {
    const positions = await stampEvent(serverMessage('ventroom_comment_updated', { id: i + 1, text: `${i} ${'x'.repeat(bytes)}` }), [group]);
    offsets.push(positions[group]!.offset);
    await addToDigest(group, { offset: positions[group]!.offset }, Date.now());
  }
  const fireAt = Date.now();
  expect(await armDigest(group, fireAt, 0)).toBe(true);
  return { group, offsets, job: { digest: group, fire_at: fireAt, interval_ms: 1000 } };
}

async function digestOnce(job: { digest: string; fire_at: number; interval_ms: number }) {
  const frames: string[] = [];
  await runDigest(job, async (frame) => void frames.push(frame));
  expect(frames).toHaveLength(1);
  const frame = JSON.parse(frames[0]!) as { type: string; data: { group: string; events: { data: { id: number }; positions: Record<string, { offset: number }> }[]; skipped?: { events: number; through_offset: number } } };
  expect(frame.type).toBe('batch');
  expect(Buffer.byteLength(frames[0]!)).toBeLessThanOrEqual(MAX_FRAME_BYTES);
  return { frame, offsets: frame.data.events.map((event) => event.positions[job.digest]!.offset) };
}

describe('protocol-2 digests with more events than a frame', () => {
  it('send a burst of up to three frames oldest first, in order, leaving the rest pending', async () => {
    // 8 events of 10 KB: 80 KB, within three frames.
    const { group, offsets, job } = await backlog(8, 10_000);
    const { frame, offsets: sent } = await digestOnce(job);
    expect(frame.data.skipped).toBeUndefined();
    expect(sent).toEqual(offsets.slice(0, sent.length));
    expect(sent.length).toBeGreaterThanOrEqual(2);
    expect((await digestState(group)).pending).toEqual(offsets.slice(sent.length));
  });

  it('skip to the newest that fit past three frames, and say how many older ones were left out and up to where', async () => {
    // 12 events of 10 KB: 120 KB, over three frames.
    const { group, offsets, job } = await backlog(12, 10_000);
    const { frame, offsets: sent } = await digestOnce(job);
    expect(sent.length).toBeGreaterThanOrEqual(2);
    expect(sent).toEqual(offsets.slice(-sent.length));
    expect(frame.data.skipped).toEqual({ events: offsets.length - sent.length, through_offset: offsets[offsets.length - sent.length - 1] });
    // Nothing older waits: the next digest starts from what comes next.
    expect((await digestState(group)).pending).toEqual([]);
  });
});
