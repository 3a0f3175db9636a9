import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultManifest, functionSpecs, type Manifest } from '../../lib/manifest.ts';
import { consumedQueueOf, expectFunctionMatchesSpec, flat, stackIds } from './support/expectations.ts';
import { fixtureManifest } from './support/fixture-manifest.ts';
import { synthTemplate } from './support/synth.ts';
import { functionView, NAME_PREFIX, resourcesOfType } from './support/template.ts';

const RATE_LIMITS = 'standard=120,create=10,reaction=30';

function ownFunctions(template: Template) {
  return Object.values(resourcesOfType(template, 'AWS::Lambda::Function')).filter((fn) =>
    String(fn.Properties.FunctionName ?? '').startsWith(`${NAME_PREFIX.dev}-`),
  );
}

function managementEndpoint(template: Template): string | undefined {
  const apis = resourcesOfType(template, 'AWS::ApiGatewayV2::Api');
  const ws = Object.keys(apis).find((id) => apis[id]!.Properties.ProtocolType === 'WEBSOCKET');
  return ws ? `https://<${ws}>.execute-api.us-east-1.<AWS::URLSuffix>/dev` : undefined;
}

describe.each([
  ['the real manifest', defaultManifest, undefined],
  ['the fixture manifest', fixtureManifest, RATE_LIMITS],
] as [string, Manifest, string | undefined][])('functions built from %s', (_name, manifest, rateLimits) => {
  let template: Template;

  beforeAll(() => {
    template = synthTemplate({ manifest, context: rateLimits ? { rateLimits } : {} }).template;
  });

  it('has one Lambda function per HTTP route, the HTTP fallback, WebSocket route and consumer', () => {
    const expected = manifest.httpRoutes.length + (manifest.httpFallback ? 1 : 0) + manifest.wsRoutes.length + manifest.consumers.length;
    expect(ownFunctions(template)).toHaveLength(expected);
  });

  it('gives each function its own log group with a retention period', () => {
    for (const fn of ownFunctions(template)) {
      const logGroup = resourcesOfType(template, 'AWS::Logs::LogGroup')[(fn.Properties.LoggingConfig.LogGroup as { Ref: string }).Ref];
      expect(logGroup?.Properties.RetentionInDays).toBe(7);
    }
  });

  it('configures, wires and grants every function exactly as its entry declares', () => {
    const ids = stackIds(template, NAME_PREFIX.dev);
    for (const spec of functionSpecs(manifest)) {
      expectFunctionMatchesSpec(template, spec, ids, {
        prefix: NAME_PREFIX.dev,
        rateLimits,
        managementEndpoint: managementEndpoint(template),
        consumedQueue: consumedQueueOf(manifest),
      });
    }
  });

  it('creates one HTTP API route per manifest route and method, without trailing slashes, and the fallback as $default', () => {
    const apis = resourcesOfType(template, 'AWS::ApiGatewayV2::Api');
    const routes = Object.values(resourcesOfType(template, 'AWS::ApiGatewayV2::Route'));
    const keysOf = (protocol: string) =>
      routes.filter((route) => apis[flat(route.Properties.ApiId).slice(1, -1)]?.Properties.ProtocolType === protocol).map((route) => route.Properties.RouteKey as string);
    const httpKeys = manifest.httpRoutes.flatMap((route) => route.methods.map((method) => `${method} ${route.path}`));
    expect(keysOf('HTTP').sort()).toEqual([...httpKeys, ...(manifest.httpFallback ? ['$default'] : [])].sort());
    expect(keysOf('WEBSOCKET').sort()).toEqual(manifest.wsRoutes.map((route) => route.routeKey).sort());
    for (const key of httpKeys) expect(key).not.toMatch(/\/$/);
  });

  it('creates a WebSocket API exactly when the manifest has WebSocket routes', () => {
    const ws = Object.values(resourcesOfType(template, 'AWS::ApiGatewayV2::Api')).filter((api) => api.Properties.ProtocolType === 'WEBSOCKET');
    expect(ws).toHaveLength(manifest.wsRoutes.length > 0 ? 1 : 0);
  });

  it('subscribes each consumer to its queue with the manifest batching and partial batch failures', () => {
    const ids = stackIds(template, NAME_PREFIX.dev);
    const mappings = Object.values(resourcesOfType(template, 'AWS::Lambda::EventSourceMapping'));
    expect(mappings).toHaveLength(manifest.consumers.length);
    const functions = resourcesOfType(template, 'AWS::Lambda::Function');
    for (const consumer of manifest.consumers) {
      const fnId = Object.keys(functions).find((id) => functions[id]!.Properties.FunctionName === `${NAME_PREFIX.dev}-${consumer.id}`);
      const mapping = mappings.find((m) => flat(m.Properties.FunctionName) === `<${fnId}>`);
      expect(mapping?.Properties, consumer.id).toEqual(
        expect.objectContaining({
          EventSourceArn: { 'Fn::GetAtt': [ids.queue(consumer.queue), 'Arn'] },
          BatchSize: consumer.batchSize,
          MaximumBatchingWindowInSeconds: consumer.maxBatchingWindowSeconds,
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          ScalingConfig: { MaximumConcurrency: consumer.maxConcurrency },
        }),
      );
    }
  });

  it('keeps every consumed queue invisible for at least six consumer timeouts', () => {
    const queues = Object.values(resourcesOfType(template, 'AWS::SQS::Queue'));
    for (const consumer of manifest.consumers) {
      const queue = queues.find((q) => q.Properties.QueueName === `${NAME_PREFIX.dev}-${consumer.queue}`);
      expect(queue?.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * consumer.timeoutSeconds);
    }
  });
});

describe('the view-counter budget', () => {
  it('reaches the workers as COUNTER_BUDGET_PER_SECOND when -c counterBudget is given, and nothing else', () => {
    const withBudget = synthTemplate({ context: { counterBudget: '500' } }).template;
    for (const id of ['BroadcastFanout', 'ViewsCounter']) expect(functionView(withBudget, id).env.COUNTER_BUDGET_PER_SECOND).toBe('500');
    expect(functionView(withBudget, 'CreatePost').env.COUNTER_BUDGET_PER_SECOND).toBeUndefined();
    const without = synthTemplate({}).template;
    expect(functionView(without, 'BroadcastFanout').env.COUNTER_BUDGET_PER_SECOND).toBeUndefined();
  });
});
