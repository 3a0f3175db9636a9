import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Stage } from './config.ts';

/** Requests per second across the whole API (steady, burst): a ceiling above the per-user limits. */
export interface ThrottleSettings {
  rateLimit: number;
  burstLimit: number;
}

/** What differs between a throwaway stage and production: whether data outlives the stack, and scale. */
export interface StageSettings {
  /** For stateful resources (table, media, logs). */
  removalPolicy: RemovalPolicy;
  tableDeletionProtection: boolean;
  /** Empty the media bucket on stack deletion, so `cdk destroy` of a dev stage leaves nothing behind. */
  autoDeleteObjects: boolean;
  logRetention: RetentionDays;
  /** Prefix of every physical name, so stages can share an account. */
  namePrefix: string;
  apiThrottle: ThrottleSettings;
}

/**
 * Per-route shares of the stage throttle, by what a request spends: one kind of request cannot
 * take the whole stage (a flood of creates still leaves reads their room). Routes not named here
 * run under the stage throttle alone. WebSocket: `$connect` verifies a JWT and writes, `$default`
 * only answers errors, pings and joins are what apps send.
 */
const ROUTE_SHARES: Readonly<Record<string, number>> = {
  create: 0.1,
  reaction: 0.2,
  views: 0.2,
  'ws:$connect': 0.2,
  'ws:$default': 0.05,
  'ws:ping': 0.2,
  'ws:standard': 0.5,
};

/** The throttle of a route of class `share` (`create`, `ws:ping`, ...), or undefined for the stage's own. */
export function routeThrottle(stage: ThrottleSettings, share: string): ThrottleSettings | undefined {
  const fraction = ROUTE_SHARES[share];
  if (fraction === undefined) return undefined;
  return { rateLimit: Math.max(1, Math.round(stage.rateLimit * fraction)), burstLimit: Math.max(1, Math.round(stage.burstLimit * fraction)) };
}

export function stageSettings(stage: Stage): StageSettings {
  const prod = stage === 'prod';
  return {
    removalPolicy: prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    tableDeletionProtection: prod,
    autoDeleteObjects: !prod,
    logRetention: prod ? RetentionDays.THREE_MONTHS : RetentionDays.ONE_WEEK,
    namePrefix: `ventroom-${stage}`,
    // Keeps a runaway client or a load test on dev from exhausting the account's Lambda concurrency.
    apiThrottle: prod ? { rateLimit: 500, burstLimit: 1000 } : { rateLimit: 50, burstLimit: 100 },
  };
}
