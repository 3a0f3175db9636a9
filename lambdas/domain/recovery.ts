import { envInt, readEnv } from '../core/config.ts';
import type { Position, Standing } from '../core/messages.ts';
import { sendToConnection } from '../core/ws/management-api.ts';
import type { WsProtocol } from '../repositories/connections.ts';
import { currentPosition, framesBetween } from '../repositories/history.ts';
import { replayFrames } from './batch-frame.ts';

const config = readEnv({
  /** The most events one recovery replays; a longer gap is `recovered: false` (refetch over HTTP). */
  WS_HISTORY_MAX_EVENTS: envInt(300),
});

/** What a re-joining client says it saw last: the offset and epoch of the group's last event it received. */
export type Since = Position;

export type RecoveryPlan = { replay: { from: number; to: number } } | { unrecoverable: true };

/**
 * Whether history can take a client from `since` to `current`: same epoch (offset 0, "nothing seen
 * yet", fits any), not ahead of the group, and at most `maxEvents` behind.
 */
export function planRecovery(since: Since, current: Position, maxEvents: number): RecoveryPlan {
  if (since.offset > current.offset) return { unrecoverable: true };
  if (since.offset > 0 && since.epoch !== current.epoch) return { unrecoverable: true };
  if (current.offset - since.offset > maxEvents) return { unrecoverable: true };
  return { replay: { from: since.offset + 1, to: current.offset } };
}

/**
 * Called after the connection joined `group`: later events reach it live. With `since`, sends it
 * the events it missed, in order, before the join's reply (protocol 2: in batch frames); the reply carries where the group stands.
 */
export async function recoverInto(connectionId: string, group: string, since: Since | undefined, protocol: WsProtocol = 1, nowMs = Date.now()): Promise<Standing> {
  const current = { group, ...(await currentPosition(group)) };
  if (!since) return current;
  const plan = planRecovery(since, current, config.WS_HISTORY_MAX_EVENTS);
  if ('unrecoverable' in plan) return { ...current, recovered: false };
  const frames = await framesBetween(group, current.epoch, plan.replay.from, plan.replay.to, Math.floor(nowMs / 1000));
  if (!frames) return { ...current, recovered: false };
  // One at a time: API Gateway delivers a connection's messages in the order they were posted. An
  // event two racing deliveries of its job both stamped sits at two offsets: it is sent once.
  const sent = new Set<string>();
  const once = frames.filter(({ messageId }) => !sent.has(messageId) && sent.add(messageId));
  // Protocol 2: packed into batch frames of at most 32 KB, as its digests are.
  for (const frame of replayFrames(group, once.map(({ frame }) => frame), protocol)) await sendToConnection(connectionId, frame);
  return { ...current, recovered: true };
}
