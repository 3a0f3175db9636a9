import type { Template } from 'aws-cdk-lib/assertions';

/** Reading a synthesized template per function: its properties, environment and IAM statements. */

export interface CfnResource {
  Type: string;
  Properties: Record<string, any>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, unknown>;
}

export const NAME_PREFIX = { dev: 'ventroom-dev', prod: 'ventroom-prod' } as const;

export function resourcesOfType(template: Template, type: string): Record<string, CfnResource> {
  return template.findResources(type) as Record<string, CfnResource>;
}

export function onlyLogicalId(template: Template, type: string): string {
  const ids = Object.keys(template.findResources(type));
  if (ids.length !== 1) throw new Error(`Expected one ${type}, found ${ids.length}`);
  return ids[0]!;
}

export interface FunctionView {
  logicalId: string;
  properties: Record<string, any>;
  env: Record<string, unknown>;
  statements: Statement[];
  actions: string[];
}

/** The Lambda function named `<prefix>-<id>` and everything its role is allowed to do. */
export function functionView(template: Template, id: string, prefix: string = NAME_PREFIX.dev): FunctionView {
  const functions = resourcesOfType(template, 'AWS::Lambda::Function');
  const entry = Object.entries(functions).find(([, resource]) => resource.Properties.FunctionName === `${prefix}-${id}`);
  if (!entry) throw new Error(`No function ${prefix}-${id}`);
  const [logicalId, resource] = entry;
  const roleLogicalId = (resource.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const statements = Object.values(resourcesOfType(template, 'AWS::IAM::Policy'))
    .filter((policy) => (policy.Properties.Roles as unknown[]).some((role) => JSON.stringify(role) === JSON.stringify({ Ref: roleLogicalId })))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
  const actions = statements.flatMap((statement) => (Array.isArray(statement.Action) ? statement.Action : [statement.Action]));
  return { logicalId, properties: resource.Properties, env: resource.Properties.Environment?.Variables ?? {}, statements, actions };
}
