import { randomUUID } from 'node:crypto';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE, db } from '../core/db.ts';
import { historyKeys } from '../core/keys.ts';
import type { Position, Positions } from '../core/messages.ts';
import { batchGet } from './batch-get.ts';
import { batchWrite, putRequest } from './batch-write.ts';

/**
 * Group history (recovery after reconnect, docs/realtime.md): each group's position (its last
 * offset and the epoch its history belongs to), one item per delivered event, and the stamp that
 * remembers which offsets an event got.
 */

/**
 * The next offset of `group`. The epoch is made with the group's first event and kept: a history
 * that starts again (a new table, a wiped twin) has another epoch, so no client mistakes its offsets.
 */
export async function nextPosition(group: string): Promise<Position> {
  const { Attributes } = await db.send(
    new UpdateCommand({
      TableName: TABLE,
      Key: historyKeys.position(group),
      UpdateExpression: 'ADD #offset :one SET #epoch = if_not_exists(#epoch, :epoch)',
      ExpressionAttributeNames: { '#offset': 'offset', '#epoch': 'epoch' },
      ExpressionAttributeValues: { ':one': 1, ':epoch': randomUUID().slice(0, 8) },
      ReturnValues: 'ALL_NEW',
    }),
  );
  return { offset: Number(Attributes?.offset), epoch: String(Attributes?.epoch) };
}

/** Where `group` stands now: offset 0 and no epoch yet (`''`) before its first event. */
export async function currentPosition(group: string): Promise<Position> {
  const { Item } = await db.send(new GetCommand({ TableName: TABLE, Key: historyKeys.position(group), ConsistentRead: true }));
  return Item ? { offset: Number(Item.offset ?? 0), epoch: String(Item.epoch) } : { offset: 0, epoch: '' };
}

/** The offsets an event was given by an earlier attempt of its fan-out job, if one got that far. */
export async function stampOf(messageId: string): Promise<Positions | undefined> {
  const { Item } = await db.send(new GetCommand({ TableName: TABLE, Key: historyKeys.stamp(messageId), ConsistentRead: true }));
  return Item ? (Item.positions as Positions) : undefined;
}

/** Stores the event under each of its offsets (`frames`: the frame each group's members receive) and its stamp. */
export async function recordEvent(messageId: string, positions: Positions, frames: Record<string, string>, ttl: number): Promise<void> {
  await batchWrite([
    ...Object.entries(positions).map(([group, position]) =>
      putRequest({ ...historyKeys.event(group, position.offset), epoch: position.epoch, message_id: messageId, frame: frames[group], ttl }),
    ),
    putRequest({ ...historyKeys.stamp(messageId), positions, ttl }),
  ]);
}

/**
 * The frames of `group` at offsets `from`..`to` in order, or undefined if any of them is missing or
 * expired (TTL deletes lazily, so expiry is checked here) or belongs to another epoch.
 */
export async function framesBetween(group: string, epoch: string, from: number, to: number, nowSeconds: number): Promise<{ messageId: string; frame: string }[] | undefined> {
  if (to < from) return [];
  const offsets = Array.from({ length: to - from + 1 }, (_, i) => from + i);
  const items = await batchGet(offsets.map((offset) => historyKeys.event(group, offset)), ['frame', 'epoch', 'message_id', 'ttl'], true);
  const byKey = new Map(items.map((item) => [item.pk as string, item]));
  const frames: { messageId: string; frame: string }[] = [];
  for (const offset of offsets) {
    const item = byKey.get(historyKeys.event(group, offset).pk);
    if (!item || item.epoch !== epoch || Number(item.ttl) <= nowSeconds || typeof item.frame !== 'string') return undefined;
    frames.push({ messageId: String(item.message_id), frame: item.frame });
  }
  return frames;
}

/**
 * The frames of `group` at these offsets, in order of offset, with their offsets: what history still
 * holds (a digest steps over a gap, from a fan-out that died between taking an offset and storing
 * its event, where a recovery must answer `recovered: false`).
 */
export async function framesAt(group: string, offsets: number[]): Promise<{ offset: number; messageId: string; frame: string }[]> {
  if (offsets.length === 0) return [];
  const items = await batchGet(offsets.map((offset) => historyKeys.event(group, offset)), ['frame', 'message_id'], true);
  const byKey = new Map(items.map((item) => [item.pk as string, item]));
  return [...offsets]
    .sort((a, b) => a - b)
    .flatMap((offset) => {
      const item = byKey.get(historyKeys.event(group, offset).pk);
      return item && typeof item.frame === 'string' ? [{ offset, messageId: String(item.message_id), frame: item.frame }] : [];
    });
}
