import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE, db } from '../core/db.ts';
import type { Key } from '../core/keys.ts';
import { untilProcessed } from './batch-write.ts';

type Item = Record<string, unknown>;

const KEYS_PER_CALL = 100;

/**
 * BatchGetItem in slices of 100 keys, retrying with backoff what DynamoDB left unprocessed. Returns
 * the items found (in no particular order; missing keys are simply absent). Eventually consistent,
 * as every read of a page is, unless `consistent` (a read that must see the latest write).
 */
export async function batchGet(keys: Key[], projection?: string[], consistent = false): Promise<Item[]> {
  const unique = [...new Map(keys.map((key) => [`${key.pk}\u0000${key.sk}`, { pk: key.pk, sk: key.sk }])).values()];
  const names = projection ? Object.fromEntries(['pk', 'sk', ...projection].map((name, i) => [`#a${i}`, name])) : undefined;
  const items: Item[] = [];
  for (let start = 0; start < unique.length; start += KEYS_PER_CALL) {
    await untilProcessed('BatchGetItem', unique.slice(start, start + KEYS_PER_CALL), async (pending: Item[]) => {
      const result = await db.send(
        new BatchGetCommand({
          RequestItems: {
            [TABLE]: {
              Keys: pending,
              ProjectionExpression: names ? Object.keys(names).join(', ') : undefined,
              ExpressionAttributeNames: names,
              ConsistentRead: consistent || undefined,
            },
          },
        }),
      );
      items.push(...(result.Responses?.[TABLE] ?? []));
      return (result.UnprocessedKeys?.[TABLE]?.Keys ?? []) as Item[];
    });
  }
  return items;
}
