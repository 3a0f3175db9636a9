import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { httpRoutes, wsRoutes } from '../../lambdas/manifest.ts';
import { readConfig } from '../../lib/config.ts';
import { EDGE_LIMITS } from '../../lib/edge.ts';
import { routeThrottle, stageSettings } from '../../lib/stage-settings.ts';
import { EDGE_SECRET_VALUE, flat, stackIds } from './support/expectations.ts';
import { synthTemplate } from './support/synth.ts';
import { NAME_PREFIX, onlyLogicalId, resourcesOfType } from './support/template.ts';

/** CloudFront's managed policies, by their documented ids. */
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';
const THROTTLED = { detail: 'Request was throttled. Expected available in 60 seconds.' };

type Rule = { Name: string; Priority: number; Statement: Record<string, any>; Action?: Record<string, any> };

describe('the edge: CloudFront and WAF in front of both APIs (issue 14, item 1)', () => {
  let template: Template;
  beforeAll(() => {
    template = synthTemplate().template;
  });

  const edgeConfig = () => {
    const ids = stackIds(template, NAME_PREFIX.dev);
    return resourcesOfType(template, 'AWS::CloudFront::Distribution')[ids.edgeDistribution]!.Properties.DistributionConfig;
  };

  it('limits requests and WebSocket upgrades per IP with a rate-based web ACL that answers the DRF 429', () => {
    const acl = Object.values(resourcesOfType(template, 'AWS::WAFv2::WebACL'));
    expect(acl).toHaveLength(1);
    const props = acl[0]!.Properties;
    expect(props).toMatchObject({ Scope: 'CLOUDFRONT', DefaultAction: { Allow: {} } });
    expect(JSON.parse(props.CustomResponseBodies.throttled.Content)).toEqual(THROTTLED);
    expect(props.CustomResponseBodies.throttled.ContentType).toBe('APPLICATION_JSON');
    const rules = props.Rules as Rule[];
    const byName = Object.fromEntries(rules.map((rule) => [rule.Name, rule]));
    expect(byName.PerIpRequests!.Statement.RateBasedStatement).toEqual({ Limit: EDGE_LIMITS.requestsPerIp, EvaluationWindowSec: 300, AggregateKeyType: 'IP' });
    const connects = byName.PerIpWebSocketConnects!.Statement.RateBasedStatement;
    expect(connects).toMatchObject({ Limit: EDGE_LIMITS.connectsPerIp, EvaluationWindowSec: 300, AggregateKeyType: 'IP' });
    expect(connects.ScopeDownStatement.ByteMatchStatement).toMatchObject({ FieldToMatch: { UriPath: {} }, PositionalConstraint: 'EXACTLY', SearchString: '/dev' });
    for (const rule of [byName.PerIpRequests!, byName.PerIpWebSocketConnects!]) {
      expect(rule.Action).toEqual({
        Block: { CustomResponse: { ResponseCode: 429, CustomResponseBodyKey: 'throttled', ResponseHeaders: [{ Name: 'retry-after', Value: '60' }] } },
      });
    }
    expect(byName.AmazonIpReputationList!.Statement.ManagedRuleGroupStatement).toEqual({ VendorName: 'AWS', Name: 'AWSManagedRulesAmazonIpReputationList' });
    // The narrower connect rule is evaluated before the request rule.
    expect(byName.PerIpWebSocketConnects!.Priority).toBeLessThan(byName.PerIpRequests!.Priority);
  });

  it('puts the web ACL on a distribution that forwards everything but Host to the HTTP and WebSocket APIs, caches nothing, and adds the origin secret', () => {
    const config = edgeConfig();
    expect(flat(config.WebACLId)).toBe(`<${onlyLogicalId(template, 'AWS::WAFv2::WebACL')}.Arn>`);
    const originOf = (id: string) => config.Origins.find((origin: { Id: string }) => origin.Id === id);
    const http = originOf(config.DefaultCacheBehavior.TargetOriginId);
    expect(flat(http.DomainName)).toMatch(/^<HttpApi\w+>\.execute-api\.us-east-1\.<AWS::URLSuffix>$/);
    const [wsBehavior] = config.CacheBehaviors;
    expect(config.CacheBehaviors).toHaveLength(1);
    expect(wsBehavior.PathPattern).toBe('/dev');
    expect(flat(originOf(wsBehavior.TargetOriginId).DomainName)).toMatch(/^<RealtimeApi\w+>\.execute-api\.us-east-1\.<AWS::URLSuffix>$/);
    for (const behavior of [config.DefaultCacheBehavior, wsBehavior]) {
      expect(behavior).toMatchObject({
        CachePolicyId: CACHING_DISABLED,
        OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_HEADER,
        ViewerProtocolPolicy: 'https-only',
        AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
      });
    }
    for (const origin of config.Origins) {
      expect(origin.CustomOriginConfig.OriginProtocolPolicy).toBe('https-only');
      expect(origin.OriginCustomHeaders).toEqual([{ HeaderName: 'x-ventroom-edge', HeaderValue: EDGE_SECRET_VALUE }]);
    }
    expect(config.Logging).toMatchObject({ Prefix: 'api-edge/' });
  });

  it('throttles routes by what they spend, under the stage throttle, on both stages', () => {
    const stage = stageSettings('dev').apiThrottle;
    const stages = Object.values(resourcesOfType(template, 'AWS::ApiGatewayV2::Stage'));
    const httpStage = stages.find((s) => s.Properties.StageName === '$default')!;
    const wsStage = stages.find((s) => s.Properties.StageName === 'dev')!;
    const expectedHttp: Record<string, unknown> = {};
    for (const route of httpRoutes) {
      const throttle = routeThrottle(stage, route.rateClass);
      if (!throttle) continue;
      for (const method of route.methods) expectedHttp[`${method} ${route.path}`] = { ThrottlingRateLimit: throttle.rateLimit, ThrottlingBurstLimit: throttle.burstLimit };
    }
    expect(httpStage.Properties.RouteSettings).toEqual(expectedHttp);
    expect(Object.keys(expectedHttp)).toEqual(expect.arrayContaining(['POST /api/ventroom/posts', 'POST /api/ventroom/reactions', 'POST /api/ventroom/posts/mark_as_viewed']));
    expect(expectedHttp['POST /api/ventroom/posts']).toEqual({ ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 });
    // Every WebSocket route has its own share: pings and $default included.
    expect(Object.keys(wsStage.Properties.RouteSettings).sort()).toEqual(wsRoutes.filter((r) => r.routeKey !== '$disconnect').map((r) => r.routeKey).sort());
    expect(wsStage.Properties.RouteSettings.ping).toEqual({ ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 });
    expect(wsStage.Properties.RouteSettings.$default).toEqual({ ThrottlingRateLimit: 3, ThrottlingBurstLimit: 5 });
    // API Gateway refuses settings for a route it does not have yet: each stage waits for its routes.
    const routes = resourcesOfType(template, 'AWS::ApiGatewayV2::Route');
    const httpStageId = Object.keys(resourcesOfType(template, 'AWS::ApiGatewayV2::Stage')).find((id) => resourcesOfType(template, 'AWS::ApiGatewayV2::Stage')[id] === httpStage)!;
    const dependsOn = (template.toJSON().Resources[httpStageId].DependsOn ?? []) as string[];
    const throttledRoutes = Object.keys(routes).filter((id) => Object.hasOwn(expectedHttp, routes[id]!.Properties.RouteKey));
    expect(dependsOn).toEqual(expect.arrayContaining(throttledRoutes));
  });

  it('can be turned off (-c edge=false): no distribution or web ACL for the API, the execute-api URLs, no origin check', () => {
    const { template: off } = synthTemplate({ context: { edge: 'false' } });
    off.resourceCountIs('AWS::WAFv2::WebACL', 0);
    off.resourceCountIs('AWS::CloudFront::Distribution', 1);
    expect(flat(off.findOutputs('HttpApiUrl').HttpApiUrl!.Value)).toMatch(/^https:\/\/<HttpApi\w+>\.execute-api\.us-east-1\.<AWS::URLSuffix>\/$/);
    for (const fn of Object.values(resourcesOfType(off, 'AWS::Lambda::Function'))) {
      expect(Object.keys(fn.Properties.Environment?.Variables ?? {})).not.toContain('EDGE_ORIGIN_SECRET');
    }
  });

  it('serves the API and media on custom domains with TLS 1.2 as the floor when given', () => {
    const cert = (name: string) => `arn:aws:acm:us-east-1:123456789012:certificate/${name}-0000-1111-2222-333344445555`;
    const { template: custom } = synthTemplate({
      context: { apiDomainName: 'api.ventroom.example', apiCertificateArn: cert('a'), mediaDomainName: 'media.ventroom.example', mediaCertificateArn: cert('b') },
    });
    const distributions = Object.values(resourcesOfType(custom, 'AWS::CloudFront::Distribution')).map((d) => d.Properties.DistributionConfig);
    expect(distributions.map((d) => d.Aliases).sort()).toEqual([['api.ventroom.example'], ['media.ventroom.example']]);
    for (const d of distributions) expect(d.ViewerCertificate).toMatchObject({ MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' });
    expect(custom.findOutputs('HttpApiUrl').HttpApiUrl!.Value).toBe('https://api.ventroom.example/');
    expect(custom.findOutputs('MediaDomain').MediaDomain!.Value).toBe('media.ventroom.example');
    const listPosts = Object.values(resourcesOfType(custom, 'AWS::Lambda::Function')).find((fn) => fn.Properties.FunctionName === `${NAME_PREFIX.dev}-ListPosts`)!;
    expect(listPosts.Properties.Environment.Variables).toMatchObject({ PUBLIC_BASE_URL: 'https://api.ventroom.example', MEDIA_BASE_URL: 'https://media.ventroom.example' });
  });

  it('checks the edge and domain contexts at synth, naming the context', () => {
    const read = (context: Record<string, unknown>) => () => readConfig((key) => context[key], {});
    expect(read({ apiDomainName: 'api.example.com' })).toThrow(/"apiDomainName" and "apiCertificateArn" go together/);
    expect(read({ mediaDomainName: 'm.example.com', mediaCertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/x' })).toThrow(/mediaCertificateArn.*us-east-1/);
    expect(read({ edgeWebAclArn: 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/x/y' })).toThrow(/edgeWebAclArn.*CLOUDFRONT/);
    expect(read({ edge: 'false', edgeWebAclArn: 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/x/y' })).toThrow(/only applies with the edge on/);
    expect(read({ edge: 'false', apiDomainName: 'api.example.com', apiCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/x' })).toThrow(/needs the edge on/);
    expect(read({ edge: 'maybe' })).toThrow(/"edge" must be true or false/);
  });
});
