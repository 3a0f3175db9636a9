import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE, db } from '../core/db.ts';

/**
 * The sort key of the `skip`-th item, counting down from the top of [from, to] in a partition,
 * reading keys only: how a bare `?page=N` (no cursor) finds where its page starts. Undefined when
 * the range holds fewer items.
 */
export async function nthSortKeyFromTop(pk: string, range: { from: string; to: string }, skip: number): Promise<string | undefined> {
  let remaining = skip;
  let startKey: Record<string, unknown> | undefined;
  let lastSk: string | undefined;
  while (remaining > 0) {
    const result = await db.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': pk, ':from': range.from, ':to': range.to },
        ProjectionExpression: 'sk',
        ScanIndexForward: false,
        Limit: remaining,
        ExclusiveStartKey: startKey,
      }),
    );
    const items = result.Items ?? [];
    remaining -= items.length;
    if (items.length > 0) lastSk = items[items.length - 1]!.sk as string;
    if (!result.LastEvaluatedKey) break;
    startKey = result.LastEvaluatedKey;
  }
  return remaining > 0 ? undefined : lastSk;
}
