import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { keyAttributes } from '../../lambdas/core/table-schema.ts';
import { defaultManifest, functionSpecs } from '../../lib/manifest.ts';
import { flat, stackIds } from './support/expectations.ts';
import { fixtureManifest } from './support/fixture-manifest.ts';
import { synthTemplate } from './support/synth.ts';
import { NAME_PREFIX, onlyLogicalId, resourcesOfType } from './support/template.ts';

const prefix = NAME_PREFIX.dev;

describe('shared resources (real manifest, dev)', () => {
  let template: Template;
  beforeAll(() => {
    template = synthTemplate().template;
  });

  it('builds the single table from the schema: pk/sk strings, on demand, TTL, point-in-time recovery', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: prefix,
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      // Every key attribute of the table and its indexes, all strings (the schema's own list).
      AttributeDefinitions: Match.arrayWith(keyAttributes().map((name) => ({ AttributeName: name, AttributeType: 'S' }))),
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  it('creates a queue and a dead-letter queue per manifest queue, redriven after maxReceiveCount', () => {
    const queues = resourcesOfType(template, 'AWS::SQS::Queue');
    expect(Object.keys(queues)).toHaveLength(2 * defaultManifest.queues.length);
    const ids = stackIds(template, prefix);
    for (const spec of defaultManifest.queues) {
      const queue = queues[ids.queue(spec.name)]!;
      const deadLetter = queues[ids.queue(`${spec.name}-dlq`)]!;
      expect(queue.Properties).toMatchObject({
        VisibilityTimeout: spec.visibilityTimeoutSeconds,
        SqsManagedSseEnabled: true,
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [ids.queue(`${spec.name}-dlq`), 'Arn'] }, maxReceiveCount: spec.maxReceiveCount },
      });
      expect(deadLetter.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    }
  });

  it('refuses non-TLS access to every queue', () => {
    const policies = Object.values(resourcesOfType(template, 'AWS::SQS::QueuePolicy'));
    expect(policies).toHaveLength(2 * defaultManifest.queues.length);
    for (const policy of policies) {
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });

  it('keeps the media bucket private, encrypted, TLS-only, with CORS for browser uploads and staged uploads expiring', () => {
    const { mediaBucket } = stackIds(template, prefix);
    const bucket = resourcesOfType(template, 'AWS::S3::Bucket')[mediaBucket]!;
    expect(bucket.Properties).toMatchObject({
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      CorsConfiguration: { CorsRules: [{ AllowedMethods: ['PUT'], AllowedOrigins: ['*'], AllowedHeaders: ['*'], ExposedHeaders: ['ETag'] }] },
      LifecycleConfiguration: {
        Rules: [{ Prefix: 'uploads/', ExpirationInDays: 1, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' }],
      },
      LoggingConfiguration: { LogFilePrefix: 'media-bucket/' },
    });
    const policy = Object.values(resourcesOfType(template, 'AWS::S3::BucketPolicy')).find((p) => flat(p.Properties.Bucket) === `<${mediaBucket}>`)!;
    const statements = policy.Properties.PolicyDocument.Statement as Record<string, unknown>[];
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    // CloudFront (OAC) may read published media only: everything else, staged uploads included, is denied.
    const allow = statements.find((s) => s.Effect === 'Allow' && JSON.stringify(s.Principal).includes('cloudfront.amazonaws.com'))!;
    expect(allow.Action).toBe('s3:GetObject');
    expect(JSON.stringify(allow.Condition)).toContain(stackIds(template, prefix).distribution);
    const deny = statements.find((s) => s.Effect === 'Deny' && JSON.stringify(s.Principal).includes('cloudfront.amazonaws.com'))!;
    expect(deny).toMatchObject({ Action: 's3:GetObject' });
    expect(flat(deny.NotResource)).toBe(`<${mediaBucket}.Arn>/vent_media/*`);
  });

  it('serves media through CloudFront with origin access control, HTTPS only, with standard logs', () => {
    const { mediaBucket } = stackIds(template, prefix);
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' },
    });
    const distribution = resourcesOfType(template, 'AWS::CloudFront::Distribution')[stackIds(template, prefix).distribution]!;
    const config = distribution.Properties.DistributionConfig;
    expect(config.DefaultCacheBehavior).toMatchObject({ ViewerProtocolPolicy: 'redirect-to-https', AllowedMethods: ['GET', 'HEAD'], Compress: true });
    expect(config.Origins).toHaveLength(1);
    expect(flat(config.Origins[0].DomainName)).toBe(`<${mediaBucket}.RegionalDomainName>`);
    expect(config.Origins[0].OriginAccessControlId).toBeDefined();
    expect(config.Logging).toMatchObject({ Prefix: 'cloudfront/' });
  });

  it('creates the notifications topic, encrypted and TLS-only', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { TopicName: `${prefix}-notifications`, KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('runs the HTTP API on an auto-deployed, throttled $default stage with access logs and CORS', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      Name: `${prefix}-http`,
      ProtocolType: 'HTTP',
      CorsConfiguration: {
        AllowOrigins: ['*'],
        AllowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
        AllowHeaders: ['authorization', 'content-type'],
        MaxAge: 86400,
      },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"') },
    });
  });

  it('creates the Cognito user pool, a public app client and the admin group', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      UserPoolName: `${prefix}-users`,
      Policies: { PasswordPolicy: Match.objectLike({ MinimumLength: 12, RequireSymbols: true }) },
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', { GenerateSecret: false });
    // Hardening item 9: no OAuth (CDK's default is the implicit flow, an example.com callback and every
    // scope), and users may rewrite only their name, not the `picture` every feed viewer's device fetches.
    const [client] = Object.values(resourcesOfType(template, 'AWS::Cognito::UserPoolClient'));
    expect(client!.Properties).toMatchObject({ AllowedOAuthFlowsUserPoolClient: false, WriteAttributes: ['name'] });
    for (const key of ['AllowedOAuthFlows', 'AllowedOAuthScopes', 'CallbackURLs']) expect(client!.Properties[key], key).toBeUndefined();
    template.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: 'admin' });
  });

  it('alarms on every queue\'s oldest message, past its spec\'s age, over three minutes (hardening item 12)', () => {
    const alarms = Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm'));
    const ids = stackIds(template, prefix);
    for (const queue of defaultManifest.queues) {
      expect(alarms).toContainEqual(
        expect.objectContaining({
          Properties: expect.objectContaining({
            MetricName: 'ApproximateAgeOfOldestMessage',
            Threshold: queue.alarmAgeSeconds,
            EvaluationPeriods: 3,
            Period: 60,
            Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [ids.queue(queue.name), 'QueueName'] } }],
          }),
        }),
      );
    }
  });

  it('serves media with security headers: nosniff, HSTS, no framing, a sandboxing CSP (hardening item 8)', () => {
    const [policy] = Object.values(resourcesOfType(template, 'AWS::CloudFront::ResponseHeadersPolicy'));
    expect(policy!.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig).toMatchObject({
      ContentTypeOptions: { Override: true },
      StrictTransportSecurity: { AccessControlMaxAgeSec: 63072000, IncludeSubdomains: true, Override: true },
      FrameOptions: { FrameOption: 'DENY' },
      ContentSecurityPolicy: { ContentSecurityPolicy: "default-src 'none'; sandbox" },
    });
    const distribution = resourcesOfType(template, 'AWS::CloudFront::Distribution')[stackIds(template, prefix).distribution];
    expect(distribution!.Properties.DistributionConfig.DefaultCacheBehavior.ResponseHeadersPolicyId).toBeDefined();
  });

  it('has one dashboard with the API, every queue and every function', () => {
    const dashboards = Object.values(resourcesOfType(template, 'AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0]!.Properties.DashboardBody);
    for (const queue of defaultManifest.queues) expect(body).toContain(`${queue.name} queue`);
    for (const spec of functionSpecs(defaultManifest)) expect(body).toContain(`\\"title\\":\\"${spec.id}\\"`);
    expect(body).toContain('HTTP API');
  });

  it('alarms on every dead-letter queue, every function\'s errors and throttles, and HTTP 5xx', () => {
    const alarms = Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm')).filter((alarm) => alarm.Properties.MetricName !== 'ApproximateAgeOfOldestMessage');
    const functions = functionSpecs(defaultManifest);
    expect(alarms).toHaveLength(defaultManifest.queues.length + 2 * functions.length + 1);
    for (const alarm of alarms) {
      expect(alarm.Properties).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 1, TreatMissingData: 'notBreaching' });
    }
    const ids = stackIds(template, prefix);
    for (const queue of defaultManifest.queues) {
      expect(alarms).toContainEqual(
        expect.objectContaining({
          Properties: expect.objectContaining({
            MetricName: 'ApproximateNumberOfMessagesVisible',
            Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [ids.queue(`${queue.name}-dlq`), 'QueueName'] } }],
          }),
        }),
      );
    }
    const metricNames = alarms.map((alarm) => alarm.Properties.MetricName);
    expect(metricNames.filter((name) => name === 'Errors')).toHaveLength(functions.length);
    expect(metricNames.filter((name) => name === 'Throttles')).toHaveLength(functions.length);
    expect(metricNames.filter((name) => name === '5xx')).toHaveLength(1);
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('outputs the HTTP API URL, user pool and client ids, issuer, media domain, table and topic', () => {
    const outputs = template.findOutputs('*');
    expect(Object.keys(outputs).sort()).toEqual(
      ['EdgeWebAclArn', 'HttpApiUrl', 'JwtIssuer', 'MediaDomain', 'NotificationsTopicArn', 'TableName', 'UserPoolClientId', 'UserPoolId', ...(defaultManifest.wsRoutes.length ? ['WebSocketUrl'] : [])].sort(),
    );
    const ids = stackIds(template, prefix);
    expect(flat(outputs.MediaDomain!.Value)).toBe(`<${ids.distribution}.DomainName>`);
    // Clients get the edge's URL: the execute-api one refuses what skipped the web ACL.
    expect(flat(outputs.HttpApiUrl!.Value)).toBe(`https://<${ids.edgeDistribution}.DomainName>/`);
  });
});

describe('the WebSocket API (fixture manifest)', () => {
  let template: Template;
  beforeAll(() => {
    template = synthTemplate({ manifest: fixtureManifest, context: { alarmEmail: 'ops@example.com' } }).template;
  });

  it('selects routes by the message type and deploys an auto-deployed, throttled stage named after the stage', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      Name: `${prefix}-ws`,
      ProtocolType: 'WEBSOCKET',
      RouteSelectionExpression: '$request.body.type',
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: 'dev',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
    });
  });

  it('sends a route response exactly for the two-way routes', () => {
    const apis = resourcesOfType(template, 'AWS::ApiGatewayV2::Api');
    // The HTTP API has a `$default` route of its own: only the WebSocket API's routes are compared.
    const routes = Object.fromEntries(
      Object.entries(resourcesOfType(template, 'AWS::ApiGatewayV2::Route')).filter(
        ([, route]) => apis[flat(route.Properties.ApiId).slice(1, -1)]?.Properties.ProtocolType === 'WEBSOCKET',
      ),
    );
    const responses = Object.values(resourcesOfType(template, 'AWS::ApiGatewayV2::RouteResponse'));
    for (const route of fixtureManifest.wsRoutes) {
      const [routeId, resource] = Object.entries(routes).find(([, r]) => r.Properties.RouteKey === route.routeKey)!;
      const routeResponses = responses.filter((response) => flat(response.Properties.RouteId) === `<${routeId}>`);
      if (route.returnResponse) {
        expect(resource.Properties.RouteResponseSelectionExpression, route.routeKey).toBe('$default');
        expect(routeResponses.map((r) => r.Properties.RouteResponseKey), route.routeKey).toEqual(['$default']);
      } else {
        expect(resource.Properties.RouteResponseSelectionExpression, route.routeKey).toBeUndefined();
        expect(routeResponses, route.routeKey).toEqual([]);
      }
    }
  });

  it('grants connection management on this stage\'s @connections only, and only to post (hardening: least privilege)', () => {
    const policies = Object.values(resourcesOfType(template, 'AWS::IAM::Policy'));
    const manage = policies.flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[]).filter((s) => s.Action === 'execute-api:ManageConnections');
    expect(manage).toHaveLength(fixtureManifest.wsRoutes.concat().filter((r) => r.access.manageConnections).length + fixtureManifest.consumers.filter((c) => c.access.manageConnections).length);
    for (const statement of manage) {
      expect(flat(statement.Resource)).toMatch(/^arn:<AWS::Partition>:execute-api:us-east-1:<AWS::AccountId>:<RealtimeApi\w+>\/dev\/POST\/@connections\/\*$/);
    }
  });

  it('outputs the wss:// URL of the stage, through the edge', () => {
    const outputs = template.findOutputs('WebSocketUrl');
    expect(flat(outputs.WebSocketUrl!.Value)).toMatch(/^wss:\/\/<EdgeDistribution\w+\.DomainName>\/dev$/);
  });

  it('sends alarms to an e-mail subscribed topic when alarmEmail is given', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
    const alarms = Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm'));
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toHaveLength(1);
  });
});
