import { parseRateLimits } from '../lambdas/core/rate-limit-spec.ts';

export const STAGES = ['dev', 'prod'] as const;
export type Stage = (typeof STAGES)[number];

export const DEFAULT_REGION = 'us-east-1';
export const DEFAULT_ADMIN_GROUP = 'admin';
export const COGNITO_GROUPS_CLAIM = 'cognito:groups';
/** The claim most OIDC providers (Keycloak, Okta, Entra ID) put group names in. */
export const DEFAULT_OIDC_GROUPS_CLAIM = 'groups';

export type AuthConfig =
  | { kind: 'cognito'; adminGroup: string }
  | { kind: 'oidc'; issuer: string; audience: string; jwksUri: string; groupsClaim: string; adminGroup: string };

/** Everything the stack takes from outside: CDK context (`-c key=value`) and the CLI's environment. */
export interface VentroomConfig {
  stage: Stage;
  account?: string;
  region: string;
  auth: AuthConfig;
  /** Handed to the handlers as RATE_LIMITS; absent means the handlers' built-in defaults (the spec's). */
  rateLimits?: string;
  /** Browser origins allowed by the HTTP API's and the media bucket's CORS rules. */
  corsOrigins: string[];
  /**
   * `@connections` calls per second the feed's view counters may spend (COUNTER_BUDGET_PER_SECOND,
   * lambdas/core/counters.ts); absent keeps the handlers' default (2,000: 20% of the default throttle).
   */
  counterBudget?: number;
  /** Where alarm notifications go; without it alarms only change state in CloudWatch. */
  alarmEmail?: string;
  /**
   * WebSocket stage access logs. API Gateway only writes them when the region's account settings
   * already name a CloudWatch role, which this stack does not own, so they are opt-in.
   */
  webSocketAccessLogs: boolean;
  /**
   * CloudFront + WAF in front of both APIs (per-IP limits, lib/edge.ts); on unless `-c edge=false`.
   * `webAclArn`: an existing CLOUDFRONT-scope web ACL (WAF keeps those in us-east-1).
   */
  edge: { enabled: boolean; webAclArn?: string };
  /** Custom domains (ACM certificates in us-east-1): with one, its distribution requires TLS 1.2. */
  apiDomain?: DomainConfig;
  mediaDomain?: DomainConfig;
}

export interface DomainConfig {
  domainName: string;
  certificateArn: string;
}

type ContextReader = (key: string) => unknown;

function text(context: ContextReader, key: string): string | undefined {
  const value = context(key);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    throw new Error(`Context "${key}" must be a string, got ${JSON.stringify(value)}`);
  }
  const trimmed = String(value).trim();
  return trimmed === '' ? undefined : trimmed;
}

function flag(context: ContextReader, key: string): boolean {
  const value = text(context, key);
  if (value === undefined) return false;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new Error(`Context "${key}" must be true or false, got "${value}"`);
}

function stageOf(context: ContextReader): Stage {
  const stage = text(context, 'stage') ?? 'dev';
  if (!(STAGES as readonly string[]).includes(stage)) {
    throw new Error(`Context "stage" must be one of ${STAGES.join(', ')}, got "${stage}"`);
  }
  return stage as Stage;
}

function httpsUrl(key: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`Context "${key}" must be a URL, got "${value}"`);
  }
  // aws-jwt-verify fetches JWKS over https only, and an issuer is compared byte for byte.
  if (url.protocol !== 'https:') throw new Error(`Context "${key}" must be an https URL, got "${value}"`);
  return value;
}

function authOf(context: ContextReader): AuthConfig {
  const adminGroup = text(context, 'adminGroup') ?? DEFAULT_ADMIN_GROUP;
  const issuer = text(context, 'jwtIssuer');
  const audience = text(context, 'jwtAudience');
  if (issuer === undefined && audience === undefined) {
    for (const key of ['jwksUri', 'groupsClaim']) {
      if (text(context, key) !== undefined) throw new Error(`Context "${key}" only applies with jwtIssuer and jwtAudience`);
    }
    return { kind: 'cognito', adminGroup };
  }
  if (issuer === undefined || audience === undefined) {
    throw new Error('Contexts "jwtIssuer" and "jwtAudience" go together: give both to use an existing OIDC issuer, or neither for Cognito');
  }
  httpsUrl('jwtIssuer', issuer);
  const jwksUri = httpsUrl('jwksUri', text(context, 'jwksUri') ?? `${issuer.replace(/\/+$/, '')}/.well-known/jwks.json`);
  return { kind: 'oidc', issuer, audience, jwksUri, groupsClaim: text(context, 'groupsClaim') ?? DEFAULT_OIDC_GROUPS_CLAIM, adminGroup };
}

/** Checked here by the handlers' own parser, so a typo fails the synth instead of every cold start. */
function rateLimitsOf(context: ContextReader): string | undefined {
  const value = text(context, 'rateLimits');
  if (value === undefined) return undefined;
  try {
    parseRateLimits(value);
  } catch (error) {
    throw new Error(`Context "rateLimits": ${(error as Error).message}`);
  }
  return value;
}

function counterBudgetOf(context: ContextReader): number | undefined {
  const value = text(context, 'counterBudget');
  if (value === undefined) return undefined;
  if (!/^[1-9][0-9]*$/.test(value)) throw new Error(`Context "counterBudget" must be a whole number of @connections calls per second, got "${value}"`);
  return Number(value);
}

function corsOriginsOf(context: ContextReader): string[] {
  const value = text(context, 'corsOrigins');
  if (value === undefined) return ['*'];
  return value.split(',').map((origin) => origin.trim()).filter(Boolean);
}

function domainOf(context: ContextReader, kind: 'api' | 'media'): DomainConfig | undefined {
  const domainName = text(context, `${kind}DomainName`);
  const certificateArn = text(context, `${kind}CertificateArn`);
  if (domainName === undefined && certificateArn === undefined) return undefined;
  if (domainName === undefined || certificateArn === undefined) {
    throw new Error(`Contexts "${kind}DomainName" and "${kind}CertificateArn" go together`);
  }
  // CloudFront takes certificates from ACM in us-east-1 only, whatever the stack's region.
  if (!/^arn:aws[\w-]*:acm:us-east-1:\d{12}:certificate\/[\w-]+$/.test(certificateArn)) {
    throw new Error(`Context "${kind}CertificateArn" must be an ACM certificate ARN in us-east-1, got "${certificateArn}"`);
  }
  if (!/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/i.test(domainName)) {
    throw new Error(`Context "${kind}DomainName" must be a domain name, got "${domainName}"`);
  }
  return { domainName, certificateArn };
}

function edgeOf(context: ContextReader): VentroomConfig['edge'] {
  const off = text(context, 'edge') !== undefined && !flag(context, 'edge');
  const webAclArn = text(context, 'edgeWebAclArn');
  if (off && webAclArn !== undefined) throw new Error('Context "edgeWebAclArn" only applies with the edge on (drop -c edge=false)');
  if (webAclArn !== undefined && !/^arn:aws[\w-]*:wafv2:us-east-1:\d{12}:global\/webacl\/.+$/.test(webAclArn)) {
    throw new Error(`Context "edgeWebAclArn" must be a CLOUDFRONT-scope (global) web ACL ARN in us-east-1, got "${webAclArn}"`);
  }
  return { enabled: !off, ...(webAclArn ? { webAclArn } : {}) };
}

export function readConfig(context: ContextReader, env: NodeJS.ProcessEnv = process.env): VentroomConfig {
  const alarmEmail = text(context, 'alarmEmail');
  if (alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+$/.test(alarmEmail)) {
    throw new Error(`Context "alarmEmail" must be an e-mail address, got "${alarmEmail}"`);
  }
  const edge = edgeOf(context);
  const apiDomain = domainOf(context, 'api');
  if (apiDomain && !edge.enabled) throw new Error('Context "apiDomainName" names the edge distribution\'s domain: it needs the edge on (drop -c edge=false)');
  return {
    stage: stageOf(context),
    account: env.CDK_DEFAULT_ACCOUNT || undefined,
    // An explicit -c region=... wins over the CLI profile's region.
    region: text(context, 'region') ?? (env.CDK_DEFAULT_REGION || DEFAULT_REGION),
    auth: authOf(context),
    rateLimits: rateLimitsOf(context),
    corsOrigins: corsOriginsOf(context),
    counterBudget: counterBudgetOf(context),
    alarmEmail,
    webSocketAccessLogs: flag(context, 'wsAccessLogs'),
    edge,
    apiDomain,
    mediaDomain: domainOf(context, 'media'),
  };
}
