import type { Template } from 'aws-cdk-lib/assertions';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import { expect } from 'vitest';
import { queueUrlVariable } from '../../../lambdas/manifest.ts';
import type { FunctionSpec, Manifest } from '../../../lib/manifest.ts';
import { functionView, onlyLogicalId, resourcesOfType, type FunctionView, type Statement } from './template.ts';

/** A template fragment as one readable string: `{Ref: X}` is `<X>`, `{Fn::GetAtt: [X, Arn]}` is `<X.Arn>`. */
export const flat = (value: unknown): string => flattenCfnReference(value);

const resourcesOf = (statement: Statement): string[] =>
  (Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource]).map(flat);

const actionsOf = (statement: Statement): string[] => (Array.isArray(statement.Action) ? statement.Action : [statement.Action]);

/** Resources every statement granting `action` covers (deduplicated, sorted). */
export function resourcesFor(view: FunctionView, action: string): string[] {
  return [...new Set(view.statements.filter((s) => actionsOf(s).includes(action)).flatMap(resourcesOf))].sort();
}

export interface StackIds {
  table: string;
  mediaBucket: string;
  distribution: string;
  /** The API's CloudFront distribution (lib/edge.ts). */
  edgeDistribution: string;
  topic: string;
  logGroupOf: (view: FunctionView) => string;
  queue: (name: string) => string;
}

/** Logical ids of the shared resources, found by their physical names or roles in the template. */
export function stackIds(template: Template, prefix: string): StackIds {
  const queues = resourcesOfType(template, 'AWS::SQS::Queue');
  const buckets = resourcesOfType(template, 'AWS::S3::Bucket');
  const mediaBucket = Object.keys(buckets).find((id) => buckets[id]!.Properties.CorsConfiguration !== undefined);
  const topics = resourcesOfType(template, 'AWS::SNS::Topic');
  const topic = Object.keys(topics).find((id) => topics[id]!.Properties.TopicName === `${prefix}-notifications`);
  const distributions = resourcesOfType(template, 'AWS::CloudFront::Distribution');
  // The media distribution; the API's edge distribution is the other one (lib/edge.ts).
  const distribution = Object.keys(distributions).find((id) => (distributions[id]!.Properties.DistributionConfig as { Comment?: string }).Comment === 'Vent Room media');
  if (!mediaBucket || !topic || !distribution) throw new Error('media bucket, media distribution or notifications topic missing');
  return {
    table: onlyLogicalId(template, 'AWS::DynamoDB::Table'),
    mediaBucket,
    distribution,
    edgeDistribution: Object.keys(distributions).find((id) => id !== distribution) ?? '',
    topic,
    logGroupOf: (view) => (view.properties.LoggingConfig.LogGroup as { Ref: string }).Ref,
    queue: (name) => {
      const id = Object.keys(queues).find((key) => queues[key]!.Properties.QueueName === `${prefix}-${name}`);
      if (!id) throw new Error(`queue ${prefix}-${name} missing`);
      return id;
    },
  };
}

const TABLE_READ = ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem'];
const TABLE_WRITE = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];
/** The stack id's random part: what the edge distribution sends and the functions compare (lib/edge.ts). */
export const EDGE_SECRET_VALUE = { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] };

const VERIFIER_VARIABLES = ['JWT_ISSUER', 'JWT_AUDIENCE', 'JWKS_URI', 'ADMIN_GROUP', 'GROUPS_CLAIM'];

export interface FunctionExpectations {
  prefix: string;
  /** The RATE_LIMITS value request-facing functions should carry, if the context set one. */
  rateLimits?: string;
  /** Flattened WS_MANAGEMENT_ENDPOINT value, when the manifest has WebSocket routes. */
  managementEndpoint?: string;
  /** The queue a consumer reads, by consumer id. */
  consumedQueue: (id: string) => string | undefined;
}

/**
 * Everything a function's manifest entry implies, checked against the template: settings, the exact
 * set of environment variables and their values, and IAM actions granted per access kind and no
 * others.
 */
export function expectFunctionMatchesSpec(template: Template, spec: FunctionSpec, ids: StackIds, options: FunctionExpectations): void {
  const view = functionView(template, spec.id, options.prefix);
  const { access } = spec;
  const label = `${spec.id}:`;

  expect(view.properties, label).toMatchObject({
    Runtime: 'nodejs24.x',
    Architectures: ['arm64'],
    Handler: 'index.handler',
    MemorySize: spec.memoryMb,
    Timeout: spec.timeoutSeconds,
  });

  // Environment: exactly the variables the entry implies.
  const expectedVariables = [
    'POWERTOOLS_SERVICE_NAME',
    'POWERTOOLS_LOG_LEVEL',
    'NODE_OPTIONS',
    'TABLE_NAME',
    'MEDIA_BASE_URL',
    ...(spec.verifiesJwt ? VERIFIER_VARIABLES : []),
    ...(options.rateLimits !== undefined && spec.trigger !== 'queue' ? ['RATE_LIMITS'] : []),
    ...(access.sendTo ?? []).map(queueUrlVariable),
    ...(access.media ? ['MEDIA_BUCKET'] : []),
    ...(access.retractsMedia ? ['MEDIA_DISTRIBUTION_ID'] : []),
    ...(access.notificationsTopic ? ['NOTIFICATIONS_TOPIC_ARN'] : []),
    ...(access.manageConnections ? ['WS_MANAGEMENT_ENDPOINT'] : []),
    // Behind the edge (the default), request-facing functions refuse what skipped the web ACL; links use its URL.
    ...(spec.trigger !== 'queue' ? ['EDGE_ORIGIN_SECRET'] : []),
    ...(spec.trigger === 'http' ? ['PUBLIC_BASE_URL'] : []),
  ];
  expect(Object.keys(view.env).sort(), label).toEqual([...new Set(expectedVariables)].sort());
  expect(view.env, label).toMatchObject({
    POWERTOOLS_SERVICE_NAME: 'ventroom',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    NODE_OPTIONS: '--enable-source-maps',
    TABLE_NAME: { Ref: ids.table },
  });
  expect(flat(view.env.MEDIA_BASE_URL), label).toBe(`https://<${ids.distribution}.DomainName>`);
  if (spec.trigger !== 'queue') expect(view.env.EDGE_ORIGIN_SECRET, label).toEqual(EDGE_SECRET_VALUE);
  if (spec.trigger === 'http') expect(flat(view.env.PUBLIC_BASE_URL), label).toBe(`https://<${ids.edgeDistribution}.DomainName>`);
  if (options.rateLimits !== undefined && spec.trigger !== 'queue') expect(view.env.RATE_LIMITS, label).toBe(options.rateLimits);
  for (const queue of access.sendTo ?? []) expect(view.env[queueUrlVariable(queue)], label).toEqual({ Ref: ids.queue(queue) });
  if (access.media) expect(view.env.MEDIA_BUCKET, label).toEqual({ Ref: ids.mediaBucket });
  if (access.retractsMedia) expect(view.env.MEDIA_DISTRIBUTION_ID, label).toEqual({ Ref: ids.distribution });
  if (access.notificationsTopic) expect(view.env.NOTIFICATIONS_TOPIC_ARN, label).toEqual({ Ref: ids.topic });
  if (access.manageConnections) expect(flat(view.env.WS_MANAGEMENT_ENDPOINT), label).toBe(options.managementEndpoint);

  // IAM: each service only when the entry's access (or its trigger) calls for it.
  const services = new Set(view.actions.map((action) => action.split(':')[0]));
  const consumedQueue = options.consumedQueue(spec.id);
  const allowed = new Set(['logs']);
  if (access.table || spec.rateLimited) allowed.add('dynamodb');
  if ((access.sendTo ?? []).length > 0 || consumedQueue) allowed.add('sqs');
  if (access.media) allowed.add('s3');
  if (access.retractsMedia) allowed.add('cloudfront');
  if (access.notificationsTopic) allowed.add('sns');
  if (access.manageConnections) allowed.add('execute-api');
  expect([...services].sort(), label).toEqual([...allowed].sort());

  expect(resourcesFor(view, 'logs:PutLogEvents'), label).toEqual([`<${ids.logGroupOf(view)}.Arn>`]);

  const tableArn = `<${ids.table}.Arn>`;
  if (access.table) {
    for (const action of TABLE_READ) expect(resourcesFor(view, action), `${label} ${action}`).toContain(tableArn);
  } else {
    for (const action of TABLE_READ) expect(resourcesFor(view, action), `${label} ${action}`).toEqual([]);
  }
  // Hardening item 7: no grant carries Scan (no code path scans), nor CDK's stream or describe actions.
  expect(view.actions.filter((action) => action.startsWith('dynamodb:') && ![...TABLE_READ, 'dynamodb:ConditionCheckItem', ...TABLE_WRITE].includes(action)), label).toEqual([]);
  if (access.table === 'readWrite') {
    for (const action of TABLE_WRITE) expect(resourcesFor(view, action), `${label} ${action}`).toContain(tableArn);
    for (const statement of view.statements.filter((s) => actionsOf(s).includes('dynamodb:PutItem'))) expect(statement.Condition, label).toBeUndefined();
  } else if (access.table === 'connections') {
    // Writes only in its connection and group partitions (and its rate windows, if limited).
    const writes = view.statements.filter((s) => actionsOf(s).includes('dynamodb:PutItem'));
    expect(writes.length, label).toBe(1);
    expect(actionsOf(writes[0]!).sort(), label).toEqual([...TABLE_WRITE].sort());
    expect(writes[0]!.Condition, label).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['CONN#*', 'GROUP#*'] } });
    const rate = view.statements.filter((s) => actionsOf(s).length === 1 && actionsOf(s)[0] === 'dynamodb:UpdateItem');
    expect(rate.length, label).toBe(spec.rateLimited ? 1 : 0);
  } else {
    for (const action of ['dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem']) {
      expect(resourcesFor(view, action), `${label} ${action}`).toEqual([]);
    }
    // The only write left is the rate-limit counter, confined to its own partitions.
    const updates = view.statements.filter((s) => actionsOf(s).includes('dynamodb:UpdateItem'));
    expect(updates.length, label).toBe(spec.rateLimited ? 1 : 0);
    for (const update of updates) {
      expect(actionsOf(update), label).toEqual(['dynamodb:UpdateItem']);
      expect(update.Condition, label).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['RATE#*'] } });
    }
  }

  const sendTo = [...new Set(access.sendTo ?? [])];
  expect(resourcesFor(view, 'sqs:SendMessage'), label).toEqual(sendTo.map((q) => `<${ids.queue(q)}.Arn>`).sort());
  expect(resourcesFor(view, 'sqs:ReceiveMessage'), label).toEqual(consumedQueue ? [`<${ids.queue(consumedQueue)}.Arn>`] : []);

  const mediaObjects = [`<${ids.mediaBucket}.Arn>/uploads/*`, `<${ids.mediaBucket}.Arn>/vent_media/*`];
  expect(resourcesFor(view, 's3:GetObject'), label).toEqual(access.media === 'read' || access.media === 'readWrite' ? mediaObjects : []);
  // `stage` (CreateUpload, hardening item 7): PutObject into the staging prefix, nothing else.
  expect(resourcesFor(view, 's3:PutObject'), label).toEqual(access.media === 'readWrite' ? mediaObjects : access.media === 'stage' ? [`<${ids.mediaBucket}.Arn>/uploads/*`] : []);
  expect(resourcesFor(view, 's3:DeleteObject'), label).toEqual(access.media === 'readWrite' ? mediaObjects : []);
  // Hardening item 8: only functions that take published media down may clear it from the edge cache, of this distribution only.
  expect(resourcesFor(view, 'cloudfront:CreateInvalidation'), label).toEqual(access.retractsMedia ? [`arn:<AWS::Partition>:cloudfront::<AWS::AccountId>:distribution/<${ids.distribution}>`] : []);
  expect(resourcesFor(view, 'sns:Publish'), label).toEqual(access.notificationsTopic ? [`<${ids.topic}>`] : []);
  expect(resourcesFor(view, 'execute-api:ManageConnections').length, label).toBe(access.manageConnections ? 1 : 0);
}

/** The queue each consumer reads, for `FunctionExpectations.consumedQueue`. */
export function consumedQueueOf(manifest: Manifest): (id: string) => string | undefined {
  return (id) => manifest.consumers.find((consumer) => consumer.id === id)?.queue;
}
