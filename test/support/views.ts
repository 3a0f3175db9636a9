import { randomUUID } from 'node:crypto';
import type { Context, SQSEvent } from 'aws-lambda';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Principal } from '../../lambdas/core/auth.ts';
import { TABLE, db } from '../../lambdas/core/db.ts';
import { postPartitionKeys } from '../../lambdas/core/keys.ts';
import type { ViewsMessage } from '../../lambdas/core/views-queue.ts';
import type { TestUser } from './api.ts';

/** Helpers for tests that drive the views worker and the view read paths directly. */

export const lambdaContext = { functionName: 'ViewsCounter', awsRequestId: 'test', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

export interface TestRecord {
  messageId: string;
  message: ViewsMessage | string;
}

export function viewsRecord(userId: string, postIds: number[], viewedAt: Date | string = new Date(), messageId = randomUUID()): TestRecord {
  return { messageId, message: { user_id: userId, post_ids: postIds, viewed_at: new Date(viewedAt).toISOString() } };
}

/** An SQS event as the event source mapping hands it to the views worker. */
export function sqsEvent(records: TestRecord[]): SQSEvent {
  return {
    Records: records.map(({ messageId, message }) => ({
      messageId,
      receiptHandle: `rh-${messageId}`,
      body: typeof message === 'string' ? message : JSON.stringify(message),
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()), SenderId: 'test', ApproximateFirstReceiveTimestamp: String(Date.now()) },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:ventroom-views',
      awsRegion: 'us-east-1',
    })),
  };
}

export function principalOf(user: TestUser | string): Principal {
  const id = typeof user === 'string' ? user : user.id;
  return { id, displayName: typeof user === 'string' ? 'Tester' : user.displayName, profilePhoto: null, isAdmin: false };
}

export const userIds = (n: number): string[] => Array.from({ length: n }, () => randomUUID());

/** The sort keys of everything stored in a post's own partition that starts with `prefix`. */
export async function partitionKeys(postId: number, prefix: string): Promise<string[]> {
  const result = await db.send(
    new QueryCommand({
      TableName: TABLE,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': postPartitionKeys.partition(postId), ':prefix': prefix },
      ConsistentRead: true,
    }),
  );
  return (result.Items ?? []).map((item) => item.sk as string);
}
