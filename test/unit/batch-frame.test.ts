import { describe, expect, it } from 'vitest';
import { batchFrame, MAX_FRAME_BYTES, packFrames } from '../../lambdas/domain/batch-frame.ts';
import { digestIntervalMs } from '../../lambdas/domain/digest.ts';

const frame = (n: number, size: number) => JSON.stringify({ id: `e${n}`, type: 'new_ventroom_post', data: { id: n, content: 'x'.repeat(size) }, timestamp: '2026-12-06T00:00:00.000Z' });

describe('protocol 2 batch frames', () => {
  it('keeps the stored frames as they are, in order, inside one envelope', () => {
    const parsed = JSON.parse(batchFrame('vent_post_7', [frame(1, 3), frame(2, 3)]));
    expect(parsed).toMatchObject({ type: 'batch', data: { group: 'vent_post_7' } });
    expect(parsed.data.events.map((event: { id: string }) => event.id)).toEqual(['e1', 'e2']);
    expect(typeof parsed.id).toBe('string');
  });

  it('packs in order into frames of at most 32 KB; a frame too big to share goes alone', () => {
    const frames = [frame(1, 9000), frame(2, 9000), frame(3, 9000), frame(4, 9000), frame(5, 40_000), frame(6, 10)];
    const packed = packFrames('ventroom_feed', frames);
    const ids = packed.flatMap((one) => JSON.parse(one).data.events.map((event: { id: string }) => event.id));
    expect(ids).toEqual(['e1', 'e2', 'e3', 'e4', 'e5', 'e6']);
    expect(packed.map((one) => JSON.parse(one).data.events.length)).toEqual([3, 1, 1, 1]);
    for (const one of packed) if (JSON.parse(one).data.events.length > 1) expect(Buffer.byteLength(one)).toBeLessThanOrEqual(MAX_FRAME_BYTES);
  });

  it("widens only the feed's interval with its audience, to stay within the budget", () => {
    expect(digestIntervalMs('vent_post_1', 1_000_000, 2000)).toBe(1000);
    expect(digestIntervalMs('ventroom_feed', 200, 2000)).toBe(1000);
    expect(digestIntervalMs('ventroom_feed', 5000, 2000)).toBe(3000);
    expect(digestIntervalMs('ventroom_feed', 100_000, 2000)).toBe(50_000);
  });
});
