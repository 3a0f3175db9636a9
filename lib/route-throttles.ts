import { Lazy } from 'aws-cdk-lib';
import type { CfnStage } from 'aws-cdk-lib/aws-apigatewayv2';
import type { Construct } from 'constructs';
import type { ThrottleSettings } from './stage-settings.ts';

/**
 * Per-route throttles on an HTTP or WebSocket stage (RouteSettings, keyed by route key). The L2
 * stages take only a stage-wide throttle. API Gateway refuses settings for a route that does not
 * exist yet, so the stage waits for every route it names.
 */
export class RouteThrottles {
  private readonly settings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};

  constructor(private readonly stage: CfnStage) {
    stage.routeSettings = Lazy.any({ produce: () => (Object.keys(this.settings).length > 0 ? this.settings : undefined) });
  }

  add(routeKey: string, throttle: ThrottleSettings | undefined, route: Construct): void {
    if (!throttle) return;
    this.settings[routeKey] = { ThrottlingRateLimit: throttle.rateLimit, ThrottlingBurstLimit: throttle.burstLimit };
    this.stage.node.addDependency(route);
  }
}
