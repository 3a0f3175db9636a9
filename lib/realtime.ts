import { Stack, type RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { CfnStage, LogGroupLogDestination, WebSocketApi, WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { ConnectionMethod, WsRoute } from '../lambdas/manifest.ts';
import { acknowledge } from './nag.ts';
import { RouteThrottles } from './route-throttles.ts';
import { routeThrottle, type ThrottleSettings } from './stage-settings.ts';

export interface RealtimeProps {
  apiName: string;
  stageName: string;
  throttle: ThrottleSettings;
  accessLogs: boolean;
  logRetention: RetentionDays;
  removalPolicy: RemovalPolicy;
}

/** Clients send `{"type": "join_ventroom", ...}`: the type picks the route. */
export const ROUTE_SELECTION_EXPRESSION = '$request.body.type';

const WS_ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    ip: '$context.identity.sourceIp',
    requestTime: '$context.requestTime',
    eventType: '$context.eventType',
    routeKey: '$context.routeKey',
    connectionId: '$context.connectionId',
    status: '$context.status',
    integrationLatency: '$context.integrationLatency',
    integrationError: '$context.integrationErrorMessage',
  }),
);

/** The WebSocket API and its stage; created only when the manifest has WebSocket routes. */
export class Realtime extends Construct {
  readonly api: WebSocketApi;
  readonly stage: WebSocketStage;
  private readonly throttle: ThrottleSettings;
  private readonly routeThrottles: RouteThrottles;

  constructor(scope: Construct, id: string, props: RealtimeProps) {
    super(scope, id);
    this.api = new WebSocketApi(this, 'Api', {
      apiName: props.apiName,
      routeSelectionExpression: ROUTE_SELECTION_EXPRESSION,
    });
    const accessLogSettings = props.accessLogs
      ? {
          destination: new LogGroupLogDestination(
            new LogGroup(this, 'AccessLogs', { retention: props.logRetention, removalPolicy: props.removalPolicy }),
          ),
          format: WS_ACCESS_LOG_FORMAT,
        }
      : undefined;
    this.stage = new WebSocketStage(this, 'Stage', {
      webSocketApi: this.api,
      stageName: props.stageName,
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings,
    });
    this.throttle = props.throttle;
    this.routeThrottles = new RouteThrottles(this.stage.node.defaultChild as CfnStage);
    if (!props.accessLogs) {
      acknowledge(
        this.stage,
        'AwsSolutions-APIG1',
        'WebSocket access logs need the region-wide API Gateway CloudWatch role (AWS::ApiGateway::Account), an account singleton this stack must not own; set context wsAccessLogs=true where that role exists. Connections and messages are logged by the route functions.',
      );
    }
  }

  /** The wss:// URL clients connect to. */
  get url(): string {
    return this.stage.url;
  }

  /** The https URL of the stage's @connections management API. */
  get managementEndpoint(): string {
    return this.stage.callbackUrl;
  }

  addRoute(route: WsRoute, fn: IFunction): void {
    const created = this.api.addRoute(route.routeKey, {
      integration: new WebSocketLambdaIntegration(`${route.id}Integration`, fn),
      returnResponse: route.returnResponse,
    });
    const share = route.routeKey.startsWith('$') || route.rateClass === 'socket' ? `ws:${route.routeKey}` : `ws:${route.rateClass}`;
    this.routeThrottles.add(route.routeKey, routeThrottle(this.throttle, share), created);
    acknowledge(
      created,
      'AwsSolutions-APIG4',
      route.routeKey === '$connect'
        ? 'The $connect function verifies the JWT (query token or Authorization header) itself and refuses the upgrade with the contract\'s 401 body; a Lambda authorizer could only answer a bare 401/403.'
        : 'API Gateway authorizes WebSocket connections only at $connect; this route runs on a connection $connect already authenticated, and its function looks the caller up by connection id.',
    );
  }

  /**
   * What a management grant covers: one @connections method on this stage's connections. The
   * stage's own grant method allows every method (`*`), GET (read a connection) too, which no
   * function calls.
   */
  connectionsArn(method: ConnectionMethod): string {
    const api = Stack.of(this).formatArn({ service: 'execute-api', resource: this.api.apiId });
    return `${api}/${this.stage.stageName}/${method}/@connections/*`;
  }

  /** Grants the methods named, and returns the resources granted (for their nag acknowledgements). */
  grantManageConnections(grantee: IGrantable, methods: ConnectionMethod[]): string[] {
    const resources = [...new Set(methods)].map((method) => this.connectionsArn(method));
    grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions: ['execute-api:ManageConnections'], resources }));
    return resources;
  }
}
