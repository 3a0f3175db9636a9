import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE, db, isConditionFailure, writeIf } from '../core/db.ts';
import { digestKeys } from '../core/keys.ts';
import { setOrRemove } from './update-expression.ts';

/**
 * The state of a group's protocol-2 digests (domain/digest.ts), one item per group, written only
 * while protocol-2 connections are in the group:
 * - `pending`: the history offsets of events its protocol-2 members have not been sent yet;
 * - `counted`: posts whose view counts changed since the last digest that carried counts;
 * - `fire_at`: when the one armed digest runs (none armed: absent);
 * - `counters_due`: the earliest time a digest carries counts again (the feed's are spaced out);
 * - `next_due`: the earliest time the next frame may go (the last frame's time plus the interval).
 */
export interface DigestState {
  pending: number[];
  counted: number[];
  fireAtMs?: number;
  countersDueMs: number;
  nextDueMs: number;
}

const STATE_TTL_SECONDS = 3 * 24 * 3600;
const ttl = (nowMs: number) => Math.floor(nowMs / 1000) + STATE_TTL_SECONDS;

const numbers = (value: unknown): number[] => (value instanceof Set ? [...value].map(Number).sort((a, b) => a - b) : []);

function stateOf(item: Record<string, unknown> | undefined): DigestState {
  return {
    pending: numbers(item?.pending),
    counted: numbers(item?.counted),
    fireAtMs: item?.fire_at === undefined ? undefined : Number(item.fire_at),
    countersDueMs: Number(item?.counters_due ?? 0),
    nextDueMs: Number(item?.next_due ?? 0),
  };
}

/** Notes an event (its offset in the group) or a changed count (its post) for the group's next digest. */
export async function addToDigest(group: string, note: { offset: number } | { postId: number }, nowMs: number): Promise<DigestState> {
  const [field, value] = 'offset' in note ? ['pending', note.offset] : ['counted', note.postId];
  const { Attributes } = await db.send(
    new UpdateCommand({
      TableName: TABLE,
      Key: digestKeys.state(group),
      UpdateExpression: 'ADD #field :value SET #ttl = :ttl',
      ExpressionAttributeNames: { '#field': field, '#ttl': 'ttl' },
      ExpressionAttributeValues: { ':value': new Set([value]), ':ttl': ttl(nowMs) },
      ReturnValues: 'ALL_NEW',
    }),
  );
  return stateOf(Attributes);
}

/**
 * Arms the group's digest to run at `fireAtMs`, unless one is armed to run no later (and not
 * before `staleBeforeMs`: a digest that should have run long ago lost its job): true when this
 * caller armed it (and must schedule its job).
 */
export async function armDigest(group: string, fireAtMs: number, staleBeforeMs: number): Promise<boolean> {
  return writeIf(
    new UpdateCommand({
      TableName: TABLE,
      Key: digestKeys.state(group),
      UpdateExpression: 'SET #fire = :fire',
      ConditionExpression: 'attribute_not_exists(#fire) OR #fire > :fire OR #fire < :stale',
      ExpressionAttributeNames: { '#fire': 'fire_at' },
      ExpressionAttributeValues: { ':fire': fireAtMs, ':stale': staleBeforeMs },
    }),
  );
}

export async function digestState(group: string): Promise<DigestState> {
  const { Item } = await db.send(new GetCommand({ TableName: TABLE, Key: digestKeys.state(group), ConsistentRead: true }));
  return stateOf(Item);
}

/**
 * After a digest armed for `fireAtMs` was delivered: what it sent leaves the state, and the digest
 * is disarmed, only if no earlier digest superseded it meanwhile. Answers the state left (what came
 * in while it ran), or undefined when it was superseded.
 */
export async function commitDigest(
  group: string,
  fireAtMs: number,
  sent: { offsets: number[]; posts: number[]; countersDueMs?: number; nextDueMs?: number },
): Promise<DigestState | undefined> {
  const deletes = [sent.offsets.length ? '#pending :offsets' : '', sent.posts.length ? '#counted :posts' : ''].filter(Boolean);
  // The spacing times: each set when given (setOrRemove leaves an undefined one alone).
  const times = setOrRemove({ counters_due: sent.countersDueMs, next_due: sent.nextDueMs });
  const values: Record<string, unknown> = { ':fire': fireAtMs, ...times.values };
  if (sent.offsets.length) values[':offsets'] = new Set(sent.offsets);
  if (sent.posts.length) values[':posts'] = new Set(sent.posts);
  try {
    const { Attributes } = await db.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: digestKeys.state(group),
        UpdateExpression: ['REMOVE #fire', times.expression, deletes.length ? `DELETE ${deletes.join(', ')}` : ''].filter(Boolean).join(' '),
        ConditionExpression: '#fire = :fire',
        ExpressionAttributeNames: {
          '#fire': 'fire_at',
          ...(sent.offsets.length ? { '#pending': 'pending' } : {}),
          ...(sent.posts.length ? { '#counted': 'counted' } : {}),
          ...times.names,
        },
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    return stateOf(Attributes);
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}
