import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Data } from '../../lib/data.ts';
import { defaultManifest, functionSpecs, type FunctionSpec } from '../../lib/manifest.ts';
import type { Media } from '../../lib/media.ts';
import type { Notifications } from '../../lib/notifications.ts';
import type { Queues } from '../../lib/queues.ts';
import type { Realtime } from '../../lib/realtime.ts';
import type { VentroomStack } from '../../lib/ventroom-stack.ts';
import { consumedQueueOf, flat, stackIds } from '../cdk/support/expectations.ts';
import { synthTemplate } from '../cdk/support/synth.ts';
import { functionView, NAME_PREFIX } from '../cdk/support/template.ts';
import { readIamRecording, type IamRecording } from '../support/iam-calls.ts';
import { checkUnderstood, isAllowed, unusedGrants, type CheckedCall, type PolicyStatement } from './support/policy-check.ts';

/**
 * Least privilege, proven (docs/hardening.md): runs after every other project (vitest.config.mts,
 * groupOrder 2) and holds what each function really called during the run (recorded by
 * local/aws-call-recorder.ts in the twins and in the test processes) against its synthesized policy,
 * in both directions. `IAM_CHECK_LAST_RUN=1 npx vitest run --project iam` checks the records the last
 * full run left, e.g. after changing a grant.
 */

/**
 * Statements the function's code does not use because AWS uses them on its behalf, so no SDK call can
 * be recorded for them. Each is matched exactly (these actions, this one resource).
 */
const SERVICE_GRANTS: { why: string; actions: string[]; resource: (spec: FunctionSpec) => string | undefined }[] = [
  {
    why: 'Lambda writes the function\'s logs to its own log group with the function\'s role',
    actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    resource: (spec) => logGroupOf(spec.id),
  },
  {
    why: 'the SQS event source mapping receives and deletes the consumer\'s messages with its role (CDK\'s SqsEventSource grant)',
    actions: ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueUrl', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
    resource: (spec) => {
      const queue = consumedQueueOf(defaultManifest)(spec.id);
      return queue ? `<${ids.queue(queue)}.Arn>` : undefined;
    },
  },
];

/**
 * Grants no test reaches, each with why it must stay. Keep this tiny: a grant listed here is
 * reviewed, not proven.
 */
const UNREACHED: { fn: string; grant: string; why: string }[] = [];

let stackResource: (resource: string) => string;
let ids: ReturnType<typeof stackIds>;
let views: Map<string, { statements: PolicyStatement[]; logGroup: string }>;
let recording: IamRecording;
const logGroupOf = (id: string) => views.get(id)!.logGroup;

/** Renders a recorded logical resource (local/iam-actions.ts) as the template names the real one. */
function renderer(stack: VentroomStack): (resource: string) => string {
  const child = <T,>(id: string) => stack.node.tryFindChild(id) as T | undefined;
  const data = child<Data>('Data')!;
  const media = child<Media>('Media')!;
  const queues = child<Queues>('Queues')!;
  const notifications = child<Notifications>('Notifications')!;
  const realtime = child<Realtime>('Realtime');
  const render = (token: string) => flat(stack.resolve(token));
  const table = render(data.table.tableArn);
  const bucket = render(media.bucket.bucketArn);
  const queueArns = new Map(queues.all.map((queue) => [queue.spec.name as string, render(queue.queue.queueArn)]));
  const topic = render(notifications.topic.topicArn);
  const distribution = render(media.distribution.distributionArn);
  const stage = realtime && `${render(stack.formatArn({ service: 'execute-api', resource: realtime.api.apiId }))}/${realtime.stage.stageName}`;
  return (resource) => {
    const [kind, ...rest] = resource.split('/');
    const tail = rest.join('/');
    if (kind === 'table') return tail ? `${table}/${tail}` : table;
    if (kind === 'media') return `${bucket}/${tail}`;
    if (kind === 'queue') return queueArns.get(tail) ?? resource;
    if (kind === 'topic' && tail === 'notifications') return topic;
    if (kind === 'distribution' && tail === 'media') return distribution;
    if (kind === 'connections' && stage) return `${stage}/${rest[0]}/@connections/${rest.slice(1).join('/')}`;
    return resource;
  };
}

const specs = functionSpecs(defaultManifest);

beforeAll(() => {
  recording = readIamRecording({ orLatest: process.env.IAM_CHECK_LAST_RUN === '1' });
  const { template, stack } = synthTemplate();
  stackResource = renderer(stack);
  ids = stackIds(template, NAME_PREFIX.dev);
  views = new Map(
    specs.map((spec) => {
      const view = functionView(template, spec.id);
      const statements = view.statements.map((statement) => ({ ...statement, Resource: [statement.Resource].flat().map(flat) }) as PolicyStatement);
      return [spec.id, { statements, logGroup: `<${ids.logGroupOf(view)}.Arn>` }];
    }),
  );
});

function callsOf(id: string): CheckedCall[] {
  return recording.calls.filter((call) => call.fn === id).map((call) => ({ ...call, resource: stackResource(call.resource) }));
}

const sameSet = (a: string[], b: string[]) => a.length === b.length && [...a].sort().every((value, index) => value === [...b].sort()[index]);

function serviceGrant(spec: FunctionSpec, statement: PolicyStatement): string | undefined {
  const actions = [statement.Action].flat();
  const resources = [statement.Resource].flat();
  return SERVICE_GRANTS.find((grant) => sameSet(grant.actions, actions) && resources.length === 1 && resources[0] === grant.resource(spec))?.why;
}

describe('least privilege, proven: every function\'s policy against the AWS calls the test run recorded', () => {
  it('has the records of this run (the IAM check runs after the whole suite: npm test)', () => {
    expect(
      recording.thisRun || process.env.IAM_CHECK_LAST_RUN === '1',
      "No AWS calls were recorded by this run: run the whole suite (npm test), or set IAM_CHECK_LAST_RUN=1 to check the latest run's records",
    ).toBe(true);
  });

  it('every function was invoked by some test', () => {
    expect(specs.filter((spec) => !recording.invoked.has(spec.id)).map((spec) => spec.id)).toEqual([]);
  });

  it.each(specs.map((spec) => [spec.id, spec] as const))('%s: every call it made is allowed, and everything it is allowed was used', (_id, spec) => {
    const { statements } = views.get(spec.id)!;
    for (const statement of statements) checkUnderstood(statement);
    const calls = callsOf(spec.id);

    const denied = [...new Set(calls.filter((call) => !isAllowed(statements, call)).map((call) => `${call.action} on ${call.resource}${call.leadingKeys ? ` (partitions ${call.leadingKeys.join(', ')})` : ''}`))];
    const exempt = new Set(UNREACHED.filter((entry) => entry.fn === spec.id).map((entry) => entry.grant));
    const unused = statements.filter((statement) => !serviceGrant(spec, statement)).flatMap((statement) => unusedGrants(statement, calls)).filter((grant) => !exempt.has(grant));

    expect({ denied: denied.slice(0, 20), unused }, `${spec.id}: calls its policy denies / grants no test used`).toEqual({ denied: [], unused: [] });
  });

  afterAll(() => {
    const names = new Set(specs.map((spec) => spec.id));
    const others = [...new Set(recording.calls.map((call) => call.fn).filter((fn) => !names.has(fn)))];
    const statements = [...views.values()].reduce((sum, view) => sum + view.statements.length, 0);
    console.log(
      `IAM check: ${specs.length} functions, ${statements} policy statements, ${recording.calls.length} distinct calls recorded` +
        (others.length ? ` (and calls of test-made invocations, not checked: ${others.join(', ')})` : ''),
    );
  });

  it('lists no unreachable grant that is in fact used or no longer granted', () => {
    for (const entry of UNREACHED) {
      const { statements } = views.get(entry.fn)!;
      const unused = statements.flatMap((statement) => unusedGrants(statement, callsOf(entry.fn)));
      expect(unused, `${entry.fn}: ${entry.grant} is listed as unreached`).toContain(entry.grant);
    }
  });
});
