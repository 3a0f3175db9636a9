import { serverMessage } from '../core/messages.ts';

/**
 * Protocol 2's `batch` frame (docs/realtime.md): `{id, type: "batch", data: {group, events}, timestamp}`,
 * `events` the group's events in order, each as its own frame would be. Kept apart from the digests
 * (domain/digest.ts) so the join routes pack their replays without the fan-out's configuration.
 */

/** A batch frame is one billed API Gateway message: 32 KB. */
export const MAX_FRAME_BYTES = 32 * 1024;

/**
 * Older events a digest left out because the group had more waiting than it can catch up on
 * (domain/digest.ts): how many, and the offset up to which the client should consider itself
 * caught up (and refetch over HTTP what the group shows).
 */
export interface Skipped {
  events: number;
  through_offset: number;
}

/**
 * A batch frame's JSON, built from the events' frames as stored (each keeps its own id and its
 * position in the group) without parsing them again.
 */
export function batchFrame(group: string, events: string[], now = new Date(), skipped?: Skipped): string {
  const envelope = serverMessage('batch', { group, events: [], ...(skipped ? { skipped } : {}) }, now);
  const [head, tail] = JSON.stringify(envelope).split('"events":[]');
  return `${head}"events":[${events.join(',')}]${tail}`;
}

/**
 * Packs frames in order into batch frames of at most MAX_FRAME_BYTES; a frame too big to share one
 * goes alone (an event over 32 KB is billed as more than one message whatever carries it).
 */
export function packFrames(group: string, frames: string[], now = new Date()): string[] {
  const packed: string[][] = [];
  const overhead = Buffer.byteLength(batchFrame(group, [], now));
  let size = overhead;
  for (const frame of frames) {
    const bytes = Buffer.byteLength(frame) + 1;
    const current = packed.at(-1);
    if (!current || size + bytes > MAX_FRAME_BYTES) {
      packed.push([frame]);
      size = overhead + bytes;
    } else {
      current.push(frame);
      size += bytes;
    }
  }
  return packed.map((events) => batchFrame(group, events, now));
}

/** The frames a recovery replays: protocol 2 gets them packed like its digests. */
export function replayFrames(group: string, frames: string[], protocol: 1 | 2): string[] {
  return protocol === 2 ? packFrames(group, frames) : frames;
}
