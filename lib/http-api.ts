import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { CfnStage, CorsHttpMethod, HttpApi, HttpMethod, HttpRoute, HttpRouteKey, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { HttpRoute as ManifestRoute } from '../lambdas/manifest.ts';
import { acknowledge } from './nag.ts';
import { RouteThrottles } from './route-throttles.ts';
import { routeThrottle, type ThrottleSettings } from './stage-settings.ts';

export interface HttpApiProps {
  apiName: string;
  corsOrigins: string[];
  throttle: ThrottleSettings;
  logRetention: RetentionDays;
  removalPolicy: RemovalPolicy;
}

/** One JSON line per request, from variables HTTP APIs support. */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    ip: '$context.identity.sourceIp',
    userAgent: '$context.identity.userAgent',
    requestTime: '$context.requestTime',
    httpMethod: '$context.httpMethod',
    path: '$context.path',
    routeKey: '$context.routeKey',
    status: '$context.status',
    protocol: '$context.protocol',
    responseLength: '$context.responseLength',
    responseLatency: '$context.responseLatency',
    integrationLatency: '$context.integrationLatency',
    integrationError: '$context.integrationErrorMessage',
  }),
);

const AUTH_IN_HANDLER =
  'Each handler verifies the JWT itself (aws-jwt-verify) because the contract requires the exact DRF 401 body ' +
  '{"detail": "Authentication credentials were not provided."}, which an HTTP API JWT authorizer cannot produce; no route runs business code unauthenticated.';

/** The HTTP API: one route per manifest route and method, on the $default stage. */
export class VentroomHttpApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  private readonly throttle: ThrottleSettings;
  private readonly routeThrottles: RouteThrottles;

  constructor(scope: Construct, id: string, props: HttpApiProps) {
    super(scope, id);
    this.api = new HttpApi(this, 'Api', {
      apiName: props.apiName,
      createDefaultStage: false,
      corsPreflight: {
        allowOrigins: props.corsOrigins,
        allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.PUT, CorsHttpMethod.PATCH, CorsHttpMethod.DELETE],
        allowHeaders: ['authorization', 'content-type'],
        maxAge: Duration.days(1),
      },
    });
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: props.logRetention, removalPolicy: props.removalPolicy });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: ACCESS_LOG_FORMAT },
    });
    this.throttle = props.throttle;
    this.routeThrottles = new RouteThrottles(this.stage.node.defaultChild as CfnStage);
  }

  /** The API's base URL, with a trailing slash. */
  get url(): string {
    return this.stage.url;
  }

  /** The `$default` route: every request no other route matches goes to `fn`. */
  addFallback(id: string, fn: IFunction): void {
    const route = new HttpRoute(this, 'DefaultRoute', {
      httpApi: this.api,
      routeKey: HttpRouteKey.DEFAULT,
      integration: new HttpLambdaIntegration(`${id}Integration`, fn),
    });
    acknowledge(route, 'AwsSolutions-APIG4', AUTH_IN_HANDLER);
  }

  /** Adds one route per method of `route`, all integrated with `fn` (paths carry no trailing slash). */
  addRoute(route: ManifestRoute, fn: IFunction): void {
    const integration = new HttpLambdaIntegration(`${route.id}Integration`, fn);
    const created = this.api.addRoutes({
      path: route.path,
      methods: route.methods.map((method) => HttpMethod[method]),
      integration,
    });
    const throttle = routeThrottle(this.throttle, route.rateClass);
    route.methods.forEach((method, index) => {
      const httpRoute = created[index]!;
      acknowledge(httpRoute, 'AwsSolutions-APIG4', AUTH_IN_HANDLER);
      this.routeThrottles.add(`${method} ${route.path}`, throttle, httpRoute);
    });
  }
}
