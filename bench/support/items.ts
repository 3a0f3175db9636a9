import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Key } from '../../lambdas/core/keys.ts';
import { itemSize } from './item-size.ts';

/**
 * Reads stored items for the floors, with a client of its own: nothing read here is metered or
 * recorded as part of an operation. Configured by the same AWS_ENDPOINT_URL_DYNAMODB as the handlers.
 */
let client: DynamoDBDocumentClient | undefined;

function sizing(): DynamoDBDocumentClient {
  client ??= DynamoDBDocumentClient.from(new DynamoDBClient({}));
  return client;
}

export async function storedItem(key: Key, table = process.env.TABLE_NAME!): Promise<Record<string, unknown> | undefined> {
  const { Item } = await sizing().send(new GetCommand({ TableName: table, Key: { pk: key.pk, sk: key.sk }, ConsistentRead: true }));
  return Item;
}

/** The stored item's size in bytes (0 when there is no such item). */
export async function storedSize(key: Key, table?: string): Promise<number> {
  const item = await storedItem(key, table);
  return item ? itemSize(item) : 0;
}

export async function storedSizes(keys: Key[]): Promise<number[]> {
  return Promise.all(keys.map((key) => storedSize(key)));
}

/** Number and total size of the items in a partition (e.g. a group's memberships). */
export async function partitionBytes(pk: string, table = process.env.TABLE_NAME!): Promise<{ items: number; bytes: number }> {
  let items = 0;
  let bytes = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await sizing().send(
      new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk }, ExclusiveStartKey: startKey, ConsistentRead: true }),
    );
    for (const item of page.Items ?? []) {
      items += 1;
      bytes += itemSize(item);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return { items, bytes };
}

/** Removes an item outside any measurement (e.g. the trending snapshot, so its refresh can be measured). */
export async function deleteItem(key: Key, table = process.env.TABLE_NAME!): Promise<void> {
  await sizing().send(new DeleteCommand({ TableName: table, Key: { pk: key.pk, sk: key.sk } }));
}
