import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE, db } from '../core/db.ts';
import { sequenceKeys } from '../core/keys.ts';

/** The next integer id of a kind (posts, comments): one atomic ADD, never reused. */
export async function nextId(kind: keyof typeof sequenceKeys): Promise<number> {
  const result = await db.send(
    new UpdateCommand({
      TableName: TABLE,
      Key: sequenceKeys[kind](),
      UpdateExpression: 'ADD #n :one',
      ExpressionAttributeNames: { '#n': 'n' },
      ExpressionAttributeValues: { ':one': 1 },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  return result.Attributes!.n as number;
}

/** The last id handed out of a kind (0 before the first): no post or comment has a larger one. */
export async function lastId(kind: keyof typeof sequenceKeys): Promise<number> {
  const { Item } = await db.send(new GetCommand({ TableName: TABLE, Key: sequenceKeys[kind]() }));
  return (Item?.n as number | undefined) ?? 0;
}
