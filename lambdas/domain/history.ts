import { envInt, readEnv } from '../core/config.ts';
import type { Positions, ServerMessage } from '../core/messages.ts';
import { nextPosition, recordEvent, stampOf } from '../repositories/history.ts';

const config = readEnv({
  /** How long a group keeps its events for recovery after reconnect: at least a day (API Gateway's 2-hour cap, a night offline). */
  WS_HISTORY_SECONDS: envInt(25 * 3600),
});

/** The frame the members of `groups` receive: the event with its positions in those groups only. */
export function framed(message: ServerMessage, positions: Positions | undefined, groups: Iterable<string>): ServerMessage {
  if (!positions) return message;
  const own = Object.fromEntries([...groups].filter((group) => positions[group]).map((group) => [group, positions[group]!]));
  return Object.keys(own).length ? { ...message, positions: own } : message;
}

/**
 * Gives an event its next offset in each of its groups and stores it there before anyone receives
 * it, so a client that joins meanwhile gets it live or from history. Once per event: a retried job
 * finds the stamp of its first attempt. A job that died between taking offsets and storing them
 * leaves a gap, which recovery answers with `recovered: false` (refetch), never with a lost event.
 * Two deliveries of one job at the same moment (SQS is at-least-once) can both stamp it: the event
 * then sits at two offsets, and a replay sends it once (clients drop copies by `id` anyway).
 */
export async function stampEvent(message: ServerMessage, groups: string[], nowMs = Date.now()): Promise<Positions> {
  const earlier = await stampOf(message.id);
  if (earlier) return earlier;
  const positions: Positions = Object.fromEntries(await Promise.all(groups.map(async (group) => [group, await nextPosition(group)] as const)));
  const frames = Object.fromEntries(groups.map((group) => [group, JSON.stringify(framed(message, positions, [group]))]));
  await recordEvent(message.id, positions, frames, Math.floor(nowMs / 1000) + config.WS_HISTORY_SECONDS);
  return positions;
}
