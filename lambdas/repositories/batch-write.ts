import { BatchWriteCommand, type BatchWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { TABLE, db } from '../core/db.ts';
import type { Key } from '../core/keys.ts';

export type WriteRequest = NonNullable<BatchWriteCommandInput['RequestItems']>[string][number];

export const putRequest = (item: Record<string, unknown>): WriteRequest => ({ PutRequest: { Item: item } });
export const deleteRequest = (key: Key): WriteRequest => ({ DeleteRequest: { Key: { pk: key.pk, sk: key.sk } } });

/**
 * Sends `requests` with `send` (which answers what DynamoDB left unprocessed: it does under
 * throttling), then the leftovers with backoff, until none are left; gives up after nine calls.
 */
export async function untilProcessed<T>(operation: string, requests: T[], send: (pending: T[]) => Promise<T[]>): Promise<void> {
  let pending = requests;
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt > 8) throw new Error(`${operation} left ${pending.length} requests unprocessed`);
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
    pending = await send(pending);
  }
}

/** BatchWriteItem in slices of 25, retrying with backoff what DynamoDB left unprocessed (throttling). */
export async function batchWrite(requests: WriteRequest[]): Promise<void> {
  for (let start = 0; start < requests.length; start += 25) {
    await untilProcessed('BatchWriteItem', requests.slice(start, start + 25), async (pending) => {
      const result = await db.send(new BatchWriteCommand({ RequestItems: { [TABLE]: pending } }));
      return (result.UnprocessedItems?.[TABLE] ?? []) as WriteRequest[];
    });
  }
}
