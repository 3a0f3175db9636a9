import { Aws, Fn, Stack, Token } from 'aws-cdk-lib';
import type { HttpApi, WebSocketApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  PriceClass,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { EDGE_SECRET_HEADER } from '../lambdas/core/edge-origin.ts';
import { domainSettings, type CustomDomain } from './custom-domain.ts';
import { acknowledge } from './nag.ts';

/**
 * Per-IP limits at the edge, per 5-minute window (WAF's rate-based rules count per source IP over a
 * sliding window). Far above one person: the spec's budgets allow 100 standard requests a minute per
 * user (500 per 5 minutes), and a carrier-grade NAT puts several phones behind one address. What they
 * stop is one machine taking the stage throttle (shared by everybody) for itself.
 */
export const EDGE_LIMITS = {
  /** Every request through the distribution (HTTP API calls and WebSocket upgrades). */
  requestsPerIp: 3000,
  /** WebSocket upgrades: a client reconnects with backoff, a script reconnecting in a loop does not. */
  connectsPerIp: 100,
  windowSeconds: 300,
} as const;

/** What WAF answers a blocked request with: the DRF 429 the apps already handle. */
const BLOCK_RETRY_SECONDS = 60;
const THROTTLED_BODY = JSON.stringify({ detail: `Request was throttled. Expected available in ${BLOCK_RETRY_SECONDS} seconds.` });

export interface EdgeProps {
  httpApi: HttpApi;
  webSocket?: { api: WebSocketApi; stageName: string };
  /** An existing CLOUDFRONT-scope web ACL; required outside us-east-1 (WAF keeps those ACLs there). */
  webAclArn?: string;
  domain?: CustomDomain;
  logBucket: IBucket;
}

/**
 * CloudFront in front of both APIs, with a WAF web ACL: WAF cannot attach to an HTTP or WebSocket
 * API, and the stage throttle alone is one budget every client shares. The distribution forwards
 * everything but Host (API Gateway routes by its own host name) and caches nothing; it adds a
 * per-stack secret header that the functions require (`EDGE_ORIGIN_SECRET`), so calling the
 * execute-api URL directly, around the web ACL, gets a 403 and does no work.
 */
export class Edge extends Construct {
  readonly distribution: Distribution;
  readonly webAclArn: string;
  /** The secret the distribution sends and the functions check: the stack id's random part. */
  readonly originSecret: string;
  /** The host clients use: the custom domain when there is one, else the distribution's own. */
  private readonly domainName: string;

  constructor(scope: Construct, id: string, props: EdgeProps) {
    super(scope, id);
    this.webAclArn = props.webAclArn ?? this.createWebAcl(props.webSocket?.stageName).attrArn;
    this.originSecret = Fn.select(2, Fn.split('/', Aws.STACK_ID));
    const originOf = (apiId: string) =>
      new HttpOrigin(`${apiId}.execute-api.${Stack.of(this).region}.${Aws.URL_SUFFIX}`, {
        protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
        customHeaders: { [EDGE_SECRET_HEADER]: this.originSecret },
      });
    // CACHING_DISABLED + all viewer headers but Host: Authorization, query strings (the WebSocket
    // ?token=) and the upgrade headers reach API Gateway as sent.
    const passThrough = {
      viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: AllowedMethods.ALLOW_ALL,
      cachePolicy: CachePolicy.CACHING_DISABLED,
      originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      compress: false,
    };
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Vent Room API (HTTP and WebSocket) behind WAF',
      defaultBehavior: { origin: originOf(props.httpApi.apiId), ...passThrough },
      additionalBehaviors: props.webSocket ? { [`/${props.webSocket.stageName}`]: { origin: originOf(props.webSocket.api.apiId), ...passThrough } } : {},
      webAclId: this.webAclArn,
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_ALL,
      enableLogging: true,
      logBucket: props.logBucket,
      logFilePrefix: 'api-edge/',
      ...domainSettings(props.domain),
    });
    this.domainName = props.domain?.domainName ?? this.distribution.distributionDomainName;
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR1',
      'Vent Room is a worldwide community: the API is used from every country the app is offered in, so there is no geography to restrict.',
    );
    if (!props.domain) {
      acknowledge(
        this.distribution,
        'AwsSolutions-CFR4',
        'Without the apiDomainName/apiCertificateArn contexts the API is served on the default *.cloudfront.net domain, whose certificate CloudFront fixes at the TLSv1 policy; with them the distribution requires TLSv1.2_2021.',
      );
    }
  }

  /** The public HTTP base URL (no trailing slash): what clients call and what links point at. */
  get httpUrl(): string {
    return `https://${this.domainName}`;
  }

  /** The public WebSocket URL, through the same distribution. */
  webSocketUrl(stageName: string): string {
    return `wss://${this.domainName}/${stageName}`;
  }


  private createWebAcl(wsStageName: string | undefined): CfnWebACL {
    const { region } = Stack.of(this);
    if (!Token.isUnresolved(region) && region !== 'us-east-1') {
      throw new Error(
        `CloudFront web ACLs live in us-east-1, and this stack is in ${region}: give -c edgeWebAclArn=<a CLOUDFRONT-scope web ACL in us-east-1>, deploy in us-east-1, or -c edge=false`,
      );
    }
    const visibility = (name: string) => ({ cloudWatchMetricsEnabled: true, metricName: name, sampledRequestsEnabled: true });
    const throttle = {
      block: {
        customResponse: {
          responseCode: 429,
          customResponseBodyKey: 'throttled',
          responseHeaders: [{ name: 'retry-after', value: String(BLOCK_RETRY_SECONDS) }],
        },
      },
    };
    const rules: CfnWebACL.RuleProperty[] = [
      {
        name: 'AmazonIpReputationList',
        priority: 0,
        statement: { managedRuleGroupStatement: { vendorName: 'AWS', name: 'AWSManagedRulesAmazonIpReputationList' } },
        overrideAction: { none: {} },
        visibilityConfig: visibility('IpReputation'),
      },
      ...(wsStageName
        ? [
            {
              name: 'PerIpWebSocketConnects',
              priority: 1,
              statement: {
                rateBasedStatement: {
                  limit: EDGE_LIMITS.connectsPerIp,
                  evaluationWindowSec: EDGE_LIMITS.windowSeconds,
                  aggregateKeyType: 'IP',
                  scopeDownStatement: {
                    byteMatchStatement: {
                      fieldToMatch: { uriPath: {} },
                      positionalConstraint: 'EXACTLY',
                      searchString: `/${wsStageName}`,
                      textTransformations: [{ priority: 0, type: 'NONE' }],
                    },
                  },
                },
              },
              action: throttle,
              visibilityConfig: visibility('PerIpWebSocketConnects'),
            },
          ]
        : []),
      {
        name: 'PerIpRequests',
        priority: 2,
        statement: { rateBasedStatement: { limit: EDGE_LIMITS.requestsPerIp, evaluationWindowSec: EDGE_LIMITS.windowSeconds, aggregateKeyType: 'IP' } },
        action: throttle,
        visibilityConfig: visibility('PerIpRequests'),
      },
    ];
    return new CfnWebACL(this, 'WebAcl', {
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      customResponseBodies: { throttled: { contentType: 'APPLICATION_JSON', content: THROTTLED_BODY } },
      rules,
      visibilityConfig: visibility('VentroomApiEdge'),
    });
  }
}
