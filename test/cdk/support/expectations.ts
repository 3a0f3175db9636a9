import type { Template } from 'aws-cdk-lib/assertions';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import { expect } from 'vitest';
import type { Partition } from '../../../lambdas/core/keys.ts';
import { queueUrlVariable } from '../../../lambdas/manifest.ts';
import { leadingKeysPattern } from '../../../lib/data.ts';
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

/** What CDK's SqsEventSource grants the consumer's role (the event source mapping polls with it). */
const CONSUME_ACTIONS = ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueUrl', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'];

/** A statement as compared here: sorted actions and flattened, sorted resources. */
interface Shape {
  actions: string[];
  resources: string[];
  condition?: unknown;
}

const sortShapes = (shapes: Shape[]): Shape[] =>
  shapes
    .map((shape) => ({ ...shape, actions: [...shape.actions].sort(), resources: [...shape.resources].sort() }))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

/** The function's statements that grant actions of one service (`dynamodb:`), as shapes. */
function shapesOf(view: FunctionView, service: string): Shape[] {
  return sortShapes(
    view.statements
      .filter((statement) => actionsOf(statement).some((action) => action.startsWith(service)))
      .map((statement) => ({ actions: actionsOf(statement), resources: resourcesOf(statement), ...(statement.Condition ? { condition: statement.Condition } : {}) })),
  );
}

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
    ...(access.manageConnections?.length ? ['WS_MANAGEMENT_ENDPOINT'] : []),
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
  if (access.manageConnections?.length) expect(flat(view.env.WS_MANAGEMENT_ENDPOINT), label).toBe(options.managementEndpoint);

  // IAM: each service only when the entry's access (or its trigger) calls for it.
  const services = new Set(view.actions.map((action) => action.split(':')[0]));
  const consumedQueue = options.consumedQueue(spec.id);
  const allowed = new Set(['logs']);
  if (access.table || spec.rateLimited) allowed.add('dynamodb');
  if ((access.sendTo ?? []).length > 0 || consumedQueue) allowed.add('sqs');
  if (access.media) allowed.add('s3');
  if (access.retractsMedia) allowed.add('cloudfront');
  if (access.notificationsTopic) allowed.add('sns');
  if (access.manageConnections?.length) allowed.add('execute-api');
  expect([...services].sort(), label).toEqual([...allowed].sort());

  expect(resourcesFor(view, 'logs:PutLogEvents'), label).toEqual([`<${ids.logGroupOf(view)}.Arn>`]);

  // DynamoDB: exactly the declared item actions, each set confined to its partitions
  // (dynamodb:LeadingKeys), Query on exactly the declared indexes, and a rate-limited request's
  // UpdateItem on its own rate windows. Nothing else: no Scan (hardening item 7), no
  // ConditionCheckItem, no stream or describe actions.
  const tableArn = `<${ids.table}.Arn>`;
  const confined = (actions: string[], partitions: Partition[]): Shape => ({
    actions: actions.map((action) => `dynamodb:${action}`),
    resources: [tableArn],
    condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': partitions.map(leadingKeysPattern) } },
  });
  const table = access.table ?? {};
  const expectedTable: Shape[] = [
    ...(table.read ? [confined(table.read.actions, table.read.partitions)] : []),
    ...(table.write ? [confined(table.write.actions, table.write.partitions)] : []),
    ...(table.indexes?.length ? [{ actions: ['dynamodb:Query'], resources: table.indexes.map((name) => `${tableArn}/index/${name}`) }] : []),
    ...(spec.rateLimited ? [confined(['UpdateItem'], ['rate'])] : []),
  ];
  expect(shapesOf(view, 'dynamodb:'), label).toEqual(sortShapes(expectedTable));

  const sendTo = [...new Set(access.sendTo ?? [])];
  // Senders get SendMessage alone (CDK's grantSendMessages adds GetQueueAttributes and GetQueueUrl).
  expect(shapesOf(view, 'sqs:'), label).toEqual(
    sortShapes([
      ...sendTo.map((queue) => ({ actions: ['sqs:SendMessage'], resources: [`<${ids.queue(queue)}.Arn>`] })),
      ...(consumedQueue ? [{ actions: CONSUME_ACTIONS, resources: [`<${ids.queue(consumedQueue)}.Arn>`] }] : []),
    ]),
  );

  // Media: per object action, exactly the key prefixes the declared uses need.
  const uses = new Set(access.media ?? []);
  const objects = (prefixes: [string, boolean][]) => prefixes.filter(([, needed]) => needed).map(([prefix]) => `<${ids.mediaBucket}.Arn>/${prefix}*`);
  expect(resourcesFor(view, 's3:GetObject'), label).toEqual(objects([['uploads/', uses.has('adopt')]]));
  // `stage` (CreateUpload, hardening item 7): PutObject into the staging prefix, nothing else.
  expect(resourcesFor(view, 's3:PutObject'), label).toEqual(objects([['uploads/', uses.has('stage')], ['vent_media/', uses.has('store') || uses.has('adopt')]]));
  expect(resourcesFor(view, 's3:DeleteObject'), label).toEqual(objects([['uploads/', uses.has('adopt')], ['vent_media/', uses.has('adopt') || uses.has('delete')]]));
  // Hardening item 8: only functions that take published media down may clear it from the edge cache, of this distribution only.
  expect(resourcesFor(view, 'cloudfront:CreateInvalidation'), label).toEqual(access.retractsMedia ? [`arn:<AWS::Partition>:cloudfront::<AWS::AccountId>:distribution/<${ids.distribution}>`] : []);
  expect(resourcesFor(view, 'sns:Publish'), label).toEqual(access.notificationsTopic ? [`<${ids.topic}>`] : []);
  // Per @connections method the function calls: POST to send, DELETE to close (nothing else, no GET).
  const connectionMethods = resourcesFor(view, 'execute-api:ManageConnections').map((resource) => /\/([A-Z]+)\/@connections\/\*$/.exec(resource)?.[1] ?? resource);
  expect(connectionMethods.sort(), label).toEqual([...(access.manageConnections ?? [])].sort());
}

/** The queue each consumer reads, for `FunctionExpectations.consumedQueue`. */
export function consumedQueueOf(manifest: Manifest): (id: string) => string | undefined {
  return (id) => manifest.consumers.find((consumer) => consumer.id === id)?.queue;
}
