import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE, db } from '../core/db.ts';
import type { Key } from '../core/keys.ts';

type Item = Record<string, unknown>;

const KEYS_PER_CALL = 100;

/**
 * BatchGetItem in slices of 100 keys, retrying with backoff what DynamoDB left unprocessed. Returns
 * the items found (in no particular order; missing keys are simply absent). Eventually consistent,
 * as every read of a page is.
 */
export async function batchGet(keys: Key[], projection?: string[]): Promise<Item[]> {
  const unique = [...new Map(keys.map((key) => [`${key.pk}\u0000${key.sk}`, { pk: key.pk, sk: key.sk }])).values()];
  const names = projection ? Object.fromEntries(['pk', 'sk', ...projection].map((name, i) => [`#a${i}`, name])) : undefined;
  const items: Item[] = [];
  for (let start = 0; start < unique.length; start += KEYS_PER_CALL) {
    let pending: Item[] = unique.slice(start, start + KEYS_PER_CALL);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 8) throw new Error(`BatchGetItem left ${pending.length} keys unprocessed`);
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
      const result = await db.send(
        new BatchGetCommand({
          RequestItems: {
            [TABLE]: {
              Keys: pending,
              ProjectionExpression: names ? Object.keys(names).join(', ') : undefined,
              ExpressionAttributeNames: names,
            },
          },
        }),
      );
      items.push(...(result.Responses?.[TABLE] ?? []));
      pending = (result.UnprocessedKeys?.[TABLE]?.Keys ?? []) as Item[];
    }
  }
  return items;
}
