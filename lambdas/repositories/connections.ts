import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE, db } from '../core/db.ts';
import { connectionKeys, type Key } from '../core/keys.ts';
import { batchWrite, deleteRequest as del, putRequest as put, type WriteRequest } from './batch-write.ts';
import { queryAll, queryPages } from './query.ts';

/** API Gateway closes every WebSocket connection after 2 hours; items outlive it a little, then TTL. */
const CONNECTION_LIFETIME_SECONDS = 2 * 3600 + 600;

function expiry(nowMs: number): number {
  return Math.floor(nowMs / 1000) + CONNECTION_LIFETIME_SECONDS;
}

/**
 * The WebSocket protocol a connection asked for at $connect: 1, the spec's (one frame per event), or
 * 2, batched frames (docs/realtime.md). Stored on its group memberships, so a fan-out tells them
 * apart from the group's own partition.
 */
export type WsProtocol = 1 | 2;

/** Only protocol 2 is written: an item without it is protocol 1. */
const protocolField = (protocol: WsProtocol) => (protocol === 2 ? { protocol } : {});

function membership(connectionId: string, group: string, userId: string, ttl: number, protocol: WsProtocol): WriteRequest[] {
  return [
    put({ ...connectionKeys.joined(connectionId, group), ttl }),
    put({ ...connectionKeys.membership(group, connectionId), user_id: userId, ttl, ...protocolField(protocol) }),
  ];
}

/** Records a new connection of `userId` and puts it in the user's own group. */
export async function saveConnection(connectionId: string, userId: string, userGroup: string, now = Date.now(), protocol: WsProtocol = 1): Promise<void> {
  const ttl = expiry(now);
  await batchWrite([
    put({ ...connectionKeys.meta(connectionId), user_id: userId, connected_at: new Date(now).toISOString(), ttl, ...protocolField(protocol) }),
    ...membership(connectionId, userGroup, userId, ttl, protocol),
  ]);
}

/** When a connection made now expires (epoch seconds): its items' TTL. */
export const connectionExpiry = expiry;

/**
 * The user behind a live connection, or undefined when it is unknown or gone. Strongly consistent:
 * clients send their first message the moment the socket opens, right after $connect wrote this.
 */
export async function connectionUser(connectionId: string): Promise<{ userId: string; ttl: number; protocol: WsProtocol } | undefined> {
  const { Item } = await db.send(new GetCommand({ TableName: TABLE, Key: connectionKeys.meta(connectionId), ConsistentRead: true }));
  return Item ? { userId: Item.user_id as string, ttl: Item.ttl as number, protocol: Item.protocol === 2 ? 2 : 1 } : undefined;
}

export async function joinGroup(connectionId: string, group: string, userId: string, ttl: number, protocol: WsProtocol = 1): Promise<void> {
  await batchWrite(membership(connectionId, group, userId, ttl, protocol));
}

export async function leaveGroup(connectionId: string, group: string): Promise<void> {
  await batchWrite([del(connectionKeys.joined(connectionId, group)), del(connectionKeys.membership(group, connectionId))]);
}

/**
 * Forgets a connection and every group membership it had ($disconnect, or a 410 from API Gateway).
 * With `unlessYoungerThanSeconds`, a connection made that recently is kept: API Gateway answers 410
 * for a socket whose $connect has stored it but not yet returned, and that socket is about to live.
 * Returns whether it was removed.
 */
export async function removeConnection(connectionId: string, options: { unlessYoungerThanSeconds?: number } = {}): Promise<boolean> {
  const keys: Key[] = [];
  const items = await queryAll({
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': connectionKeys.partition(connectionId) },
    ProjectionExpression: 'pk, sk, connected_at',
    ConsistentRead: true,
  });
  const meta = items.find((item) => item.sk === connectionKeys.meta(connectionId).sk);
  const connectedAt = typeof meta?.connected_at === 'string' ? Date.parse(meta.connected_at) : NaN;
  if (options.unlessYoungerThanSeconds !== undefined && Date.now() - connectedAt < options.unlessYoungerThanSeconds * 1000) return false;
  for (const item of items) {
    const sk = item.sk as string;
    keys.push({ pk: item.pk as string, sk });
    if (sk.startsWith(connectionKeys.joinedPrefix)) keys.push(connectionKeys.membership(connectionKeys.groupOf(sk), connectionId));
  }
  await batchWrite(keys.map(del));
  return true;
}

/**
 * Every connection in a group, page by page (a paginated Query on the group's partition, keys only;
 * never a Scan).
 */
export async function* groupConnections(group: string, pageSize?: number): AsyncGenerator<string[]> {
  for await (const page of groupMembers(group, pageSize)) yield page.map((member) => member.connectionId);
}

/** Every connection in a group with the protocol it speaks, page by page (as groupConnections). */
export async function* groupMembers(group: string, pageSize?: number): AsyncGenerator<{ connectionId: string; protocol: WsProtocol }[]> {
  const pages = queryPages({
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': connectionKeys.groupPartition(group) },
    ProjectionExpression: 'sk, #protocol',
    ExpressionAttributeNames: { '#protocol': 'protocol' },
    Limit: pageSize,
  });
  for await (const page of pages) yield page.map((item) => ({ connectionId: item.sk as string, protocol: item.protocol === 2 ? 2 : 1 }));
}

/**
 * Whether a group has any connection (one key read, strongly consistent: a connection that joined
 * before this call is seen).
 */
export async function groupHasMembers(group: string): Promise<boolean> {
  const { Items } = await db.send(
    new QueryCommand({
      TableName: TABLE,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': connectionKeys.groupPartition(group) },
      ProjectionExpression: 'sk',
      ConsistentRead: true,
      Limit: 1,
    }),
  );
  return (Items?.length ?? 0) > 0;
}
