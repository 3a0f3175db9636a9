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
