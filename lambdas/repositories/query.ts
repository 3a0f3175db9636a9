import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { TABLE, db } from '../core/db.ts';

type Item = Record<string, unknown>;

/** A Query on the table, as the helpers below take it. */
export type QueryInput = Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>;

/** Every page of a Query on the table (DynamoDB stops at 1 MB or `Limit` per call). */
export async function* queryPages(input: QueryInput): AsyncGenerator<Item[]> {
  let startKey: Item | undefined;
  do {
    const result = await db.send(new QueryCommand({ ...input, TableName: TABLE, ExclusiveStartKey: startKey }));
    yield result.Items ?? [];
    startKey = result.LastEvaluatedKey;
  } while (startKey);
}

/** All items of a Query, however many pages it takes. */
export async function queryAll(input: QueryInput): Promise<Item[]> {
  const items: Item[] = [];
  for await (const page of queryPages(input)) items.push(...page);
  return items;
}

/**
 * The first `limit` items of a Query (fewer only where the range ends). DynamoDB stops a call at
 * 1 MB, so a page of long items may take more calls; each asks only for what is still missing.
 */
export async function queryUpTo(input: Omit<QueryInput, 'Limit'>, limit: number): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Item | undefined;
  do {
    const result = await db.send(new QueryCommand({ ...input, TableName: TABLE, Limit: limit - items.length, ExclusiveStartKey: startKey }));
    items.push(...(result.Items ?? []));
    startKey = result.LastEvaluatedKey;
  } while (startKey && items.length < limit);
  return items;
}
