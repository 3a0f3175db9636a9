import type { RemovalPolicy } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { applyAccess, type AccessTargets } from './access.ts';
import type { Auth } from './auth.ts';
import { ManifestFunction } from './lambda-function.ts';
import type { FunctionSpec } from './manifest.ts';

export interface FunctionsProps {
  specs: FunctionSpec[];
  namePrefix: string;
  targets: AccessTargets;
  auth: Auth;
  /** RATE_LIMITS for request-facing functions; absent keeps the handlers' defaults. */
  rateLimits?: string;
  /** COUNTER_BUDGET_PER_SECOND for the workers (the views worker and the fan-out size the feed's counter window from it). */
  counterBudget?: number;
  logRetention: RetentionDays;
  removalPolicy: RemovalPolicy;
  /** Behind the edge: the secret request-facing functions require, and the public URL links use. */
  edge?: { originSecret: string; publicBaseUrl: string };
}

/** One Lambda function per manifest entry, with the environment and grants the entry implies. */
export class Functions extends Construct {
  private readonly byId = new Map<string, ManifestFunction>();

  constructor(scope: Construct, id: string, props: FunctionsProps) {
    super(scope, id);
    const { targets } = props;
    for (const spec of props.specs) {
      const environment: Record<string, string> = {
        // Every handler module reads these at cold start (the table backs rate limits and connections too).
        TABLE_NAME: targets.data.table.tableName,
        MEDIA_BASE_URL: targets.media.baseUrl,
        ...(spec.verifiesJwt ? props.auth.verifierEnvironment() : {}),
        ...(props.rateLimits !== undefined && spec.trigger !== 'queue' ? { RATE_LIMITS: props.rateLimits } : {}),
        ...(props.counterBudget !== undefined && spec.trigger === 'queue' ? { COUNTER_BUDGET_PER_SECOND: String(props.counterBudget) } : {}),
        ...(props.edge && spec.trigger !== 'queue' ? { EDGE_ORIGIN_SECRET: props.edge.originSecret } : {}),
        ...(props.edge && spec.trigger === 'http' ? { PUBLIC_BASE_URL: props.edge.publicBaseUrl } : {}),
      };
      const created = new ManifestFunction(this, spec.id, {
        spec,
        functionName: `${props.namePrefix}-${spec.id}`,
        environment,
        logRetention: props.logRetention,
        removalPolicy: props.removalPolicy,
      });
      applyAccess(created, spec, targets);
      this.byId.set(spec.id, created);
    }
  }

  get all(): ManifestFunction[] {
    return [...this.byId.values()];
  }

  get(id: string): ManifestFunction {
    const found = this.byId.get(id);
    if (!found) throw new Error(`No function "${id}"`);
    return found;
  }
}
