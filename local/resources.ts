import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type GlobalSecondaryIndex,
  type Projection,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { TABLE_SCHEMA, keyAttributes, type IndexSchema, type TableSchema } from '../lambdas/core/table-schema.ts';
import { queues, type QueueName } from '../lambdas/manifest.ts';

/**
 * Creates the stack's table, queues, bucket and topic in whatever services the twin talks to (its
 * own emulators, or ones named by AWS_ENDPOINT_URL_*), from the same definitions the CDK stack uses.
 * Idempotent: existing resources are kept, missing ones (a GSI added since) are added.
 */
function projectionOf(index: IndexSchema): Projection {
  if (index.projection === 'ALL') return { ProjectionType: 'ALL' };
  if (index.projection === 'KEYS_ONLY' || index.projection.length === 0) return { ProjectionType: 'KEYS_ONLY' };
  return { ProjectionType: 'INCLUDE', NonKeyAttributes: index.projection };
}

function gsiOf(index: IndexSchema): GlobalSecondaryIndex {
  return {
    IndexName: index.indexName,
    KeySchema: [
      { AttributeName: index.partitionKey, KeyType: 'HASH' },
      { AttributeName: index.sortKey, KeyType: 'RANGE' },
    ],
    Projection: projectionOf(index),
  };
}

async function waitActive(client: DynamoDBClient, tableName: string): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const indexesReady = (Table?.GlobalSecondaryIndexes ?? []).every((gsi) => gsi.IndexStatus === 'ACTIVE');
    if (Table?.TableStatus === 'ACTIVE' && indexesReady) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Table ${tableName} did not become active`);
}

export async function ensureTable(client: DynamoDBClient, tableName: string, schema: TableSchema = TABLE_SCHEMA): Promise<void> {
  const attributeDefinitions = keyAttributes(schema).map((name) => ({ AttributeName: name, AttributeType: 'S' as const }));
  let existing;
  try {
    existing = (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
  }
  if (!existing) {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: attributeDefinitions,
        KeySchema: [
          { AttributeName: schema.partitionKey, KeyType: 'HASH' },
          { AttributeName: schema.sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: schema.globalIndexes.length ? schema.globalIndexes.map(gsiOf) : undefined,
      }),
    );
  } else {
    const have = new Set((existing.GlobalSecondaryIndexes ?? []).map((gsi) => gsi.IndexName));
    for (const index of schema.globalIndexes.filter((gsi) => !have.has(gsi.indexName))) {
      await client.send(
        new UpdateTableCommand({
          TableName: tableName,
          AttributeDefinitions: attributeDefinitions,
          GlobalSecondaryIndexUpdates: [{ Create: gsiOf(index) }],
        }),
      );
      await waitActive(client, tableName);
    }
  }
  await waitActive(client, tableName);
  const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  if (ttl.TimeToLiveDescription?.TimeToLiveStatus !== 'ENABLED') {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: schema.ttlAttribute, Enabled: true },
      }),
    );
  }
}

export interface QueueUrls {
  main: Record<QueueName, string>;
  deadLetter: Record<QueueName, string>;
}

async function createQueue(client: SQSClient, name: string, attributes: Record<string, string>): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  const { Attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  return { url: QueueUrl!, arn: Attributes!.QueueArn! };
}

/** Every manifest queue and its dead-letter queue, with the manifest's visibility timeout and redrive. */
export async function ensureQueues(client: SQSClient, prefix: string): Promise<QueueUrls> {
  const main = {} as Record<QueueName, string>;
  const deadLetter = {} as Record<QueueName, string>;
  for (const queue of queues) {
    const dlq = await createQueue(client, `${prefix}-${queue.name}-dlq`, { MessageRetentionPeriod: String(14 * 24 * 3600) });
    const created = await createQueue(client, `${prefix}-${queue.name}`, {
      VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: String(queue.maxReceiveCount) }),
    });
    main[queue.name] = created.url;
    deadLetter[queue.name] = dlq.url;
  }
  return { main, deadLetter };
}

export async function ensureBucket(client: S3Client, bucket: string): Promise<void> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  }
}

export async function ensureTopic(client: SNSClient, name: string): Promise<string> {
  const { TopicArn } = await client.send(new CreateTopicCommand({ Name: name }));
  return TopicArn!;
}
