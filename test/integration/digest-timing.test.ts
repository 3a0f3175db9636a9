import { describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { groups } from '../../lambdas/core/groups.ts';
import { serverMessage } from '../../lambdas/core/messages.ts';
import { runDigest } from '../../lambdas/domain/digest.ts';
import { stampEvent } from '../../lambdas/domain/history.ts';
import { addToDigest, armDigest, digestState } from '../../lambdas/repositories/digests.ts';

/**
 * Protocol 2's spacing (domain/digest.ts) against DynamoDB Local, the digest called directly on a
 * group no connection is in. SQS holds a job's delay in whole seconds only, so a job goes with the
 * whole seconds and its digest waits out the rest: it never sends before its time, and rounding up
 * no longer makes a post screen's frames two seconds apart. The next frame is spaced from when this
 * one went.
 */
let nextPost = 910_000_000 + Math.floor(Math.random() * 1_000_000);

/** A fresh group with one event pending in its digest, armed to run `inMs` from now. */
async function armedGroup(text: string, inMs: number) {
  const group = groups.post(nextPost++);
  const positions = await stampEvent(serverMessage('ventroom_comment_updated', { id: nextPost, text }), [group]);
  await addToDigest(group, { offset: positions[group]!.offset }, Date.now());
  const fireAt = Date.now() + inMs;
  expect(await armDigest(group, fireAt, 0)).toBe(true);
  return { group, fireAt, offset: positions[group]!.offset };
}

describe('protocol-2 digest timing', () => {
  it('waits for its time when its job comes early, and spaces the next frame from when this one went', async () => {
    const { group, fireAt } = await armedGroup('timed', 700);

    const sent: number[] = [];
    let deliveredAt = 0;
    // The job arrives at once (its delay rounded down to 0 s).
    await runDigest({ digest: group, fire_at: fireAt, interval_ms: 1000 }, async () => {
      sent.push(Date.now());
      await sleep(150); // a delivery that takes its time
      deliveredAt = Date.now();
    });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toBeGreaterThanOrEqual(fireAt);
    const state = await digestState(group);
    expect(state.pending).toEqual([]);
    expect(state.nextDueMs).toBeGreaterThanOrEqual(deliveredAt + 1000);
  });

  it('does nothing, even after waiting, when another job took its place', async () => {
    const { group, fireAt, offset } = await armedGroup('superseded', 300);
    let calls = 0;
    await runDigest({ digest: group, fire_at: fireAt - 1, interval_ms: 1000 }, async () => void calls++);
    expect(calls).toBe(0);
    expect((await digestState(group)).pending).toEqual([offset]);
  });
});
