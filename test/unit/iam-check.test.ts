import { describe, expect, it } from 'vitest';
import { iamCallsOf, type ResourceNames } from '../../local/iam-actions.ts';
import { checkUnderstood, isAllowed, unusedGrants, type PolicyStatement } from '../iam/support/policy-check.ts';

/** The least-privilege check's two halves (test/iam): what a call needs, and what a policy allows. */
const names: ResourceNames = {
  table: 'ventroom',
  bucket: 'ventroom-media',
  topicArn: 'arn:aws:sns:us-east-1:000000000000:ventroom-notifications',
  queues: new Map([['http://sqs.local/000000000000/ventroom-views', 'views']]),
};

describe('iamCallsOf: the IAM actions and resources an SDK call needs', () => {
  it('splits a transaction into its item actions, each with its partition key', () => {
    const input = {
      TransactItems: [
        { Put: { TableName: 'ventroom', Item: { pk: 'FEED', sk: 'P#1' } } },
        { Update: { TableName: 'ventroom', Key: { pk: 'SEQ', sk: 'POST' } } },
        { ConditionCheck: { TableName: 'ventroom', Key: { pk: 'USER#u', sk: 'P#1' } } },
        { Delete: { TableName: 'other', Key: { pk: { S: 'X#1' }, sk: { S: 'Y' } } } },
      ],
    };
    expect(iamCallsOf('DynamoDBClient', 'TransactWriteItemsCommand', input, names)).toEqual([
      { action: 'dynamodb:PutItem', resource: 'table', leadingKeys: ['FEED'] },
      { action: 'dynamodb:UpdateItem', resource: 'table', leadingKeys: ['SEQ'] },
      { action: 'dynamodb:ConditionCheckItem', resource: 'table', leadingKeys: ['USER#u'] },
      { action: 'dynamodb:DeleteItem', resource: 'table:other', leadingKeys: ['X#1'] },
    ]);
  });

  it('names the index a Query reads and the partition its key condition selects', () => {
    const input = { TableName: 'ventroom', IndexName: 'ViewsByHour', KeyConditionExpression: '#h = :h', ExpressionAttributeNames: { '#h': 'vh' }, ExpressionAttributeValues: { ':h': '2026120401' } };
    expect(iamCallsOf('DynamoDBClient', 'QueryCommand', input, names)).toEqual([{ action: 'dynamodb:Query', resource: 'table/index/ViewsByHour', leadingKeys: ['2026120401'] }]);
  });

  it('needs GetObject on the source and PutObject on the destination of a copy; HeadObject is GetObject', () => {
    expect(iamCallsOf('S3Client', 'CopyObjectCommand', { Bucket: 'ventroom-media', Key: 'vent_media/a.png', CopySource: 'ventroom-media/uploads/u/1' }, names)).toEqual([
      { action: 's3:GetObject', resource: 'media/uploads/u/1' },
      { action: 's3:PutObject', resource: 'media/vent_media/a.png' },
    ]);
    expect(iamCallsOf('S3Client', 'HeadObjectCommand', { Bucket: 'ventroom-media', Key: 'uploads/u/1' }, names)).toEqual([{ action: 's3:GetObject', resource: 'media/uploads/u/1' }]);
  });

  it('authorises a batch send as sqs:SendMessage; keeps what it does not know recognisably raw', () => {
    expect(iamCallsOf('SQSClient', 'SendMessageBatchCommand', { QueueUrl: 'http://sqs.local/000000000000/ventroom-views' }, names)).toEqual([{ action: 'sqs:SendMessage', resource: 'queue/views' }]);
    expect(iamCallsOf('SQSClient', 'SendMessageCommand', { QueueUrl: 'http://elsewhere/q' }, names)).toEqual([{ action: 'sqs:SendMessage', resource: 'queue/http://elsewhere/q' }]);
    expect(iamCallsOf('STSClient', 'GetCallerIdentityCommand', {}, names)).toEqual([{ action: 'STSClient:GetCallerIdentity', resource: '?' }]);
  });
});

const read: PolicyStatement = { Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:Query'], Resource: ['<T.Arn>', '<T.Arn>/index/*'] };
const connectionWrites: PolicyStatement = {
  Effect: 'Allow',
  Action: 'dynamodb:PutItem',
  Resource: '<T.Arn>',
  Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['CONN#*', 'GROUP#*'] } },
};

describe('the policy evaluator', () => {
  it('allows by action, resource wildcard and LeadingKeys, and nothing else', () => {
    expect(isAllowed([read], { action: 'dynamodb:Query', resource: '<T.Arn>/index/ViewsByHour', leadingKeys: ['x'] })).toBe(true);
    expect(isAllowed([read], { action: 'dynamodb:Scan', resource: '<T.Arn>' })).toBe(false);
    expect(isAllowed([read], { action: 'dynamodb:GetItem', resource: '<Other.Arn>' })).toBe(false);
    expect(isAllowed([connectionWrites], { action: 'dynamodb:PutItem', resource: '<T.Arn>', leadingKeys: ['CONN#1', 'GROUP#g'] })).toBe(true);
    expect(isAllowed([connectionWrites], { action: 'dynamodb:PutItem', resource: '<T.Arn>', leadingKeys: ['CONN#1', 'FEED'] })).toBe(false);
    const deny: PolicyStatement = { Effect: 'Deny', Action: '*', Resource: '<T.Arn>' };
    expect(isAllowed([read, deny], { action: 'dynamodb:GetItem', resource: '<T.Arn>' })).toBe(false);
  });

  it('reports each action, resource and key pattern no call used', () => {
    expect(unusedGrants(read, [{ action: 'dynamodb:GetItem', resource: '<T.Arn>', leadingKeys: ['FEED'] }])).toEqual([
      'dynamodb:GetItem on <T.Arn>/index/*',
      'dynamodb:Query on <T.Arn>',
      'dynamodb:Query on <T.Arn>/index/*',
    ]);
    expect(unusedGrants(connectionWrites, [{ action: 'dynamodb:PutItem', resource: '<T.Arn>', leadingKeys: ['CONN#1'] }])).toEqual(['dynamodb:PutItem in partitions GROUP#*']);
    // A call the statement does not allow does not count as using it.
    expect(unusedGrants(connectionWrites, [{ action: 'dynamodb:PutItem', resource: '<T.Arn>', leadingKeys: ['FEED'] }])).toEqual([
      'dynamodb:PutItem on <T.Arn>',
      'dynamodb:PutItem in partitions CONN#*',
      'dynamodb:PutItem in partitions GROUP#*',
    ]);
  });

  it('refuses what it cannot evaluate instead of passing it', () => {
    expect(() => checkUnderstood({ Effect: 'Allow', Action: '*', Resource: '*', NotAction: 'x' })).toThrow(/NotAction/);
    expect(() => checkUnderstood({ Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:SourceVpc': 'v' } } })).toThrow(/StringEquals/);
    expect(() => checkUnderstood({ Effect: 'Allow', Action: '*', Resource: '*', Condition: { 'ForAllValues:StringLike': { 'dynamodb:Attributes': 'a' } } })).toThrow(/dynamodb:Attributes/);
  });
});
