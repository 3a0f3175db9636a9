import { BatchWriteCommand, type BatchWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { TABLE, db } from '../core/db.ts';
import type { Key } from '../core/keys.ts';

export type WriteRequest = NonNullable<BatchWriteCommandInput['RequestItems']>[string][number];

export const putRequest = (item: Record<string, unknown>): WriteRequest => ({ PutRequest: { Item: item } });
export const deleteRequest = (key: Key): WriteRequest => ({ DeleteRequest: { Key: { pk: key.pk, sk: key.sk } } });

/** BatchWriteItem in slices of 25, retrying with backoff what DynamoDB left unprocessed (throttling). */
export async function batchWrite(requests: WriteRequest[]): Promise<void> {
  for (let start = 0; start < requests.length; start += 25) {
    let pending: WriteRequest[] = requests.slice(start, start + 25);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 8) throw new Error(`BatchWriteItem left ${pending.length} items unprocessed`);
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
      const result = await db.send(new BatchWriteCommand({ RequestItems: { [TABLE]: pending } }));
      pending = (result.UnprocessedItems?.[TABLE] ?? []) as WriteRequest[];
    }
  }
}
