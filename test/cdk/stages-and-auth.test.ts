import { RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { Template, type Template as TemplateType } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import { Data } from '../../lib/data.ts';
import { functionSpecs } from '../../lib/manifest.ts';
import { flat } from './support/expectations.ts';
import { fixtureManifest } from './support/fixture-manifest.ts';
import { indexedSchema } from './support/fixture-schema.ts';
import { synthTemplate, withApp } from './support/synth.ts';
import { NAME_PREFIX, functionView, onlyLogicalId, resourcesOfType } from './support/template.ts';

function deletionPolicies(template: TemplateType, type: string): string[] {
  return [...new Set(Object.values(resourcesOfType(template, type)).map((resource) => resource.DeletionPolicy ?? 'Delete'))];
}

describe('stage-dependent data protection', () => {
  let dev: TemplateType;
  let prod: TemplateType;
  let prodStack: Stack;
  beforeAll(() => {
    dev = synthTemplate({ context: { stage: 'dev' } }).template;
    const built = synthTemplate({ context: { stage: 'prod' } });
    prod = built.template;
    prodStack = built.stack;
  });

  it('lets dev be destroyed completely: table, buckets (emptied first) and logs are deleted', () => {
    expect(deletionPolicies(dev, 'AWS::DynamoDB::Table')).toEqual(['Delete']);
    expect(deletionPolicies(dev, 'AWS::S3::Bucket')).toEqual(['Delete']);
    expect(deletionPolicies(dev, 'AWS::Logs::LogGroup')).toEqual(['Delete']);
    expect(deletionPolicies(dev, 'AWS::Cognito::UserPool')).toEqual(['Delete']);
    dev.resourceCountIs('Custom::S3AutoDeleteObjects', 2);
    const table = resourcesOfType(dev, 'AWS::DynamoDB::Table')[onlyLogicalId(dev, 'AWS::DynamoDB::Table')]!;
    expect(table.Properties.DeletionProtectionEnabled ?? false).toBe(false);
  });

  it('keeps prod data: retained table with deletion protection, retained buckets, logs and users', () => {
    expect(deletionPolicies(prod, 'AWS::DynamoDB::Table')).toEqual(['Retain']);
    expect(deletionPolicies(prod, 'AWS::S3::Bucket')).toEqual(['Retain']);
    expect(deletionPolicies(prod, 'AWS::Logs::LogGroup')).toEqual(['Retain']);
    expect(deletionPolicies(prod, 'AWS::Cognito::UserPool')).toEqual(['Retain']);
    prod.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
    prod.hasResourceProperties('AWS::DynamoDB::Table', { TableName: NAME_PREFIX.prod, DeletionProtectionEnabled: true });
    expect(prodStack.terminationProtection).toBe(true);
  });

  it('names resources after the stage', () => {
    prod.hasResourceProperties('AWS::Lambda::Function', { FunctionName: `${NAME_PREFIX.prod}-ListPosts` });
    prod.hasResourceProperties('AWS::SQS::Queue', { QueueName: `${NAME_PREFIX.prod}-views` });
    prod.hasResourceProperties('AWS::ApiGatewayV2::Api', { Name: `${NAME_PREFIX.prod}-http` });
    const logGroup = Object.values(resourcesOfType(prod, 'AWS::Logs::LogGroup'))[0]!;
    expect(logGroup.Properties.RetentionInDays).toBe(90);
  });
});

describe('explicit environment', () => {
  it('synthesizes offline without an account, in us-east-1 by default', () => {
    const { stack } = synthTemplate();
    expect(Token.isUnresolved(stack.account)).toBe(true);
    expect(stack.region).toBe('us-east-1');
  });

  it('uses the CLI\'s account and region when they are set', () => {
    const edgeWebAclArn = 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/ventroom/0f3b1c2d-1111-2222-3333-444455556666';
    const { stack, template } = synthTemplate({ env: { CDK_DEFAULT_ACCOUNT: '123456789012', CDK_DEFAULT_REGION: 'eu-central-1' }, context: { edgeWebAclArn } });
    expect(stack.account).toBe('123456789012');
    expect(stack.region).toBe('eu-central-1');
    // Outside us-east-1 the web ACL is one made there (WAF keeps CloudFront ACLs in us-east-1).
    template.resourceCountIs('AWS::WAFv2::WebACL', 0);
    template.hasResourceProperties('AWS::CloudFront::Distribution', { DistributionConfig: { WebACLId: edgeWebAclArn } });
  });

  it('refuses an edge outside us-east-1 without a web ACL made there, naming the ways out', () => {
    expect(() => synthTemplate({ env: { CDK_DEFAULT_REGION: 'eu-central-1' } })).toThrow(/edgeWebAclArn.*us-east-1.*edge=false/);
  });
});

describe('authentication modes', () => {
  it('uses Cognito ID tokens by default: issuer, audience = app client, JWKS, cognito:groups', () => {
    const { template } = synthTemplate({ manifest: fixtureManifest, context: { adminGroup: 'moderators' } });
    const pool = onlyLogicalId(template, 'AWS::Cognito::UserPool');
    const client = onlyLogicalId(template, 'AWS::Cognito::UserPoolClient');
    template.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: 'moderators', UserPoolId: { Ref: pool } });
    const issuer = `https://cognito-idp.us-east-1.<AWS::URLSuffix>/<${pool}>`;
    for (const spec of functionSpecs(fixtureManifest).filter((s) => s.verifiesJwt)) {
      const { env } = functionView(template, spec.id);
      expect(flat(env.JWT_ISSUER)).toBe(issuer);
      expect(env.JWT_AUDIENCE).toEqual({ Ref: client });
      expect(flat(env.JWKS_URI)).toBe(`${issuer}/.well-known/jwks.json`);
      expect(env).toMatchObject({ ADMIN_GROUP: 'moderators', GROUPS_CLAIM: 'cognito:groups' });
    }
  });

  it('uses an existing OIDC issuer from context and creates no user pool', () => {
    const { template } = synthTemplate({
      manifest: fixtureManifest,
      context: { jwtIssuer: 'https://login.example.com/realms/vent', jwtAudience: 'vent-mobile', groupsClaim: 'roles', adminGroup: 'staff' },
    });
    template.resourceCountIs('AWS::Cognito::UserPool', 0);
    template.resourceCountIs('AWS::Cognito::UserPoolClient', 0);
    for (const spec of functionSpecs(fixtureManifest)) {
      const { env } = functionView(template, spec.id);
      if (!spec.verifiesJwt) {
        expect(env.JWT_ISSUER, spec.id).toBeUndefined();
        continue;
      }
      expect(env, spec.id).toMatchObject({
        JWT_ISSUER: 'https://login.example.com/realms/vent',
        JWT_AUDIENCE: 'vent-mobile',
        JWKS_URI: 'https://login.example.com/realms/vent/.well-known/jwks.json',
        ADMIN_GROUP: 'staff',
        GROUPS_CLAIM: 'roles',
      });
    }
    const outputs = template.findOutputs('*');
    expect(outputs.UserPoolId).toBeUndefined();
    expect(outputs.UserPoolClientId).toBeUndefined();
    expect(outputs.JwtIssuer!.Value).toBe('https://login.example.com/realms/vent');
  });
});

describe('table indexes', () => {
  it('creates every global secondary index the schema lists, and grants name exactly the indexes queried', () => {
    const { stack, data, template } = withApp(undefined, (app) => {
      const stack = new Stack(app, 'DataOnly', { env: { region: 'us-east-1' } });
      const data = new Data(stack, 'Data', { tableName: 'ventroom-test', removalPolicy: RemovalPolicy.DESTROY, deletionProtection: false, schema: indexedSchema });
      data.grant(new Role(stack, 'Reader', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') }), { indexes: ['feed', 'keys'] });
      return { stack, data, template: Template.fromStack(stack) };
    });
    const table = resourcesOfType(template, 'AWS::DynamoDB::Table')[onlyLogicalId(template, 'AWS::DynamoDB::Table')]!;
    const keys = (hash: string, range: string) => [
      { AttributeName: hash, KeyType: 'HASH' },
      { AttributeName: range, KeyType: 'RANGE' },
    ];
    expect(table.Properties.GlobalSecondaryIndexes).toEqual([
      { IndexName: 'feed', KeySchema: keys('gsi1pk', 'gsi1sk'), Projection: { ProjectionType: 'ALL' } },
      { IndexName: 'keys', KeySchema: keys('gsi2pk', 'gsi2sk'), Projection: { ProjectionType: 'KEYS_ONLY' } },
      { IndexName: 'some', KeySchema: keys('gsi1pk', 'created'), Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['title', 'views'] } },
    ]);
    const attributes = (table.Properties.AttributeDefinitions as { AttributeName: string; AttributeType: string }[]).map((a) => `${a.AttributeName}:${a.AttributeType}`);
    expect(attributes.sort()).toEqual(['created:S', 'gsi1pk:S', 'gsi1sk:S', 'gsi2pk:S', 'gsi2sk:S', 'pk:S', 'sk:S']);
    const policy = Object.values(resourcesOfType(template, 'AWS::IAM::Policy'))[0]!;
    const statements = policy.Properties.PolicyDocument.Statement as { Resource: unknown }[];
    const resources = statements.flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource])).map(flat);
    expect(resources).toEqual(['feed', 'keys'].map((name) => flat(stack.resolve(data.indexArn(name)))));
  });
});
