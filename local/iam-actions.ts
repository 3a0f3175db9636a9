import { TABLE_SCHEMA } from '../lambdas/core/table-schema.ts';

/**
 * What IAM authorises for one AWS SDK call: the action, the resource it names and (DynamoDB) the
 * partition-key values it touches, i.e. what `dynamodb:LeadingKeys` is evaluated against. Resources
 * are logical (`table`, `table/index/<name>`, `media/<key>`, `queue/<name>`, `topic/notifications`,
 * `distribution/media`, `connections/<METHOD>/<id>`) because the twin's physical names are not the
 * stack's; the IAM check (test/iam) renders them as the stack's ARNs. Anything this module does not
 * recognise keeps its raw name, which no policy names, so the check fails on it instead of guessing.
 */
export interface IamCall {
  action: string;
  resource: string;
  /** Partition-key values, for the `dynamodb:LeadingKeys` condition key. */
  leadingKeys?: string[];
}

type Input = Record<string, any>;

/** The names the handlers' configuration gives the resources (the twin sets the same variables). */
export interface ResourceNames {
  table?: string;
  bucket?: string;
  topicArn?: string;
  distributionId?: string;
  /** Queue URL to manifest queue name. */
  queues: Map<string, string>;
}

export function resourceNamesFrom(env: NodeJS.ProcessEnv): ResourceNames {
  const queues = new Map<string, string>();
  for (const [name, value] of Object.entries(env)) {
    if (name.endsWith('_QUEUE_URL') && value) queues.set(value, name.slice(0, -'_QUEUE_URL'.length).toLowerCase());
  }
  return { table: env.TABLE_NAME, bucket: env.MEDIA_BUCKET, topicArn: env.NOTIFICATIONS_TOPIC_ARN, distributionId: env.MEDIA_DISTRIBUTION_ID, queues };
}

const operationOf = (commandName: string) => commandName.replace(/Command$/, '');

/** Every IAM-authorised action one SDK call needs (a transaction or a copy needs several). */
export function iamCallsOf(clientName: string, commandName: string, input: Input, names: ResourceNames): IamCall[] {
  const operation = operationOf(commandName);
  switch (clientName) {
    case 'DynamoDBClient':
      return dynamoCalls(operation, input, names);
    case 'S3Client':
      return s3Calls(operation, input, names);
    case 'SQSClient': {
      const queue = `queue/${names.queues.get(String(input.QueueUrl)) ?? String(input.QueueUrl)}`;
      // SendMessageBatch is authorised as sqs:SendMessage.
      return [{ action: operation === 'SendMessageBatch' ? 'sqs:SendMessage' : `sqs:${operation}`, resource: queue }];
    }
    case 'SNSClient':
      return [{ action: `sns:${operation}`, resource: input.TopicArn === names.topicArn ? 'topic/notifications' : String(input.TopicArn) }];
    case 'CloudFrontClient':
      return [{ action: `cloudfront:${operation}`, resource: input.DistributionId === names.distributionId ? 'distribution/media' : String(input.DistributionId) }];
    case 'ApiGatewayManagementApiClient': {
      const method = { PostToConnection: 'POST', GetConnection: 'GET', DeleteConnection: 'DELETE' }[operation] ?? operation;
      return [{ action: 'execute-api:ManageConnections', resource: `connections/${method}/${input.ConnectionId}` }];
    }
    default:
      return [{ action: `${clientName}:${operation}`, resource: '?' }];
  }
}

function tableResource(tableName: unknown, names: ResourceNames, indexName?: unknown): string {
  const table = tableName === names.table ? 'table' : `table:${String(tableName)}`;
  return indexName ? `${table}/index/${String(indexName)}` : table;
}

const PK = TABLE_SCHEMA.partitionKey;
/** A key value, plain (DocumentClient input) or typed (`{S: '...'}`, a raw DynamoDBClient's). */
const plain = (value: unknown): string => String(value !== null && typeof value === 'object' && 'S' in value ? (value as { S: unknown }).S : value);
const pkOf = (item: Input | undefined): string => plain(item?.[PK]);

/** The partition-key value a Query's key condition names (`<pk> = :value`), on the table or an index. */
function queriedPartition(input: Input): string {
  const index = TABLE_SCHEMA.globalIndexes.find((gsi) => gsi.indexName === input.IndexName);
  const attribute = index ? index.partitionKey : PK;
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  for (const match of String(input.KeyConditionExpression ?? '').matchAll(/([#\w]+)\s*=\s*(:\w+)/g)) {
    const name = match[1]!.startsWith('#') ? names[match[1]!] : match[1];
    if (name === attribute) return plain(input.ExpressionAttributeValues?.[match[2]!]);
  }
  return '?';
}

/** Transactions have no IAM action of their own: each item is authorised as its single-item action. */
const TRANSACT_ACTIONS: Record<string, string> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
  Get: 'dynamodb:GetItem',
};

function dynamoCalls(operation: string, input: Input, names: ResourceNames): IamCall[] {
  const action = `dynamodb:${operation}`;
  switch (operation) {
    case 'GetItem':
    case 'UpdateItem':
    case 'DeleteItem':
      return [{ action, resource: tableResource(input.TableName, names), leadingKeys: [pkOf(input.Key)] }];
    case 'PutItem':
      return [{ action, resource: tableResource(input.TableName, names), leadingKeys: [pkOf(input.Item)] }];
    case 'Query':
      return [{ action, resource: tableResource(input.TableName, names, input.IndexName), leadingKeys: [queriedPartition(input)] }];
    case 'BatchGetItem':
      return Object.entries((input.RequestItems ?? {}) as Record<string, { Keys?: Input[] }>).map(([table, request]) => ({
        action,
        resource: tableResource(table, names),
        leadingKeys: (request.Keys ?? []).map(pkOf),
      }));
    case 'BatchWriteItem':
      return Object.entries((input.RequestItems ?? {}) as Record<string, Input[]>).map(([table, requests]) => ({
        action,
        resource: tableResource(table, names),
        leadingKeys: requests.map((request) => pkOf(request.PutRequest?.Item ?? request.DeleteRequest?.Key)),
      }));
    case 'TransactWriteItems':
    case 'TransactGetItems':
      return ((input.TransactItems ?? []) as Input[]).map((entry) => {
        const [kind, item] = Object.entries(entry)[0] as [string, Input];
        return {
          action: TRANSACT_ACTIONS[kind] ?? `dynamodb:${kind}`,
          resource: tableResource(item.TableName, names),
          leadingKeys: [pkOf(item.Key ?? item.Item)],
        };
      });
    default:
      return [{ action, resource: tableResource(input.TableName, names, input.IndexName) }];
  }
}

function objectResource(bucket: unknown, key: unknown, names: ResourceNames): string {
  return `${bucket === names.bucket ? 'media' : `bucket:${String(bucket)}`}/${String(key)}`;
}

function s3Calls(operation: string, input: Input, names: ResourceNames): IamCall[] {
  switch (operation) {
    case 'GetObject':
    case 'HeadObject':
      // HeadObject is authorised by s3:GetObject.
      return [{ action: 's3:GetObject', resource: objectResource(input.Bucket, input.Key, names) }];
    case 'PutObject':
    case 'DeleteObject':
      return [{ action: `s3:${operation}`, resource: objectResource(input.Bucket, input.Key, names) }];
    case 'CopyObject': {
      // A copy reads its source and writes its destination: both must be allowed.
      const source = decodeURIComponent(String(input.CopySource).replace(/^\//, '').split('?')[0]!);
      const slash = source.indexOf('/');
      return [
        { action: 's3:GetObject', resource: objectResource(source.slice(0, slash), source.slice(slash + 1), names) },
        { action: 's3:PutObject', resource: objectResource(input.Bucket, input.Key, names) },
      ];
    }
    case 'DeleteObjects':
      return ((input.Delete?.Objects ?? []) as Input[]).map((object) => ({ action: 's3:DeleteObject', resource: objectResource(input.Bucket, object.Key, names) }));
    default:
      return [{ action: `s3:${operation}`, resource: `${input.Bucket === names.bucket ? 'media' : `bucket:${String(input.Bucket)}`}` }];
  }
}
