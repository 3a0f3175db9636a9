import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import type { VentroomStack } from '../../lib/ventroom-stack.ts';
import { fixtureManifest } from './support/fixture-manifest.ts';
import { indexedSchema } from './support/fixture-schema.ts';
import { buildStack, withApp, type SynthOptions } from './support/synth.ts';

interface Report {
  pluginReports: { pluginName: string; violations: { ruleName: string; violatingConstructs?: { constructPath: string }[] }[] }[];
}

interface NagRun {
  error?: string;
  findings: string[];
  acknowledgements: { path: string; id: string; reason: string }[];
}

/**
 * Synthesizes like `cdk synth` does (AwsSolutionsChecks on the app) and collects what cdk-nag
 * reported. Under NODE_ENV=test (vitest) a failing validation throws with the report in the message;
 * the JSON report in the assembly lists every unacknowledged finding either way.
 */
function nag(options: SynthOptions, extra?: (stack: VentroomStack) => void): NagRun {
  return withApp(options.context, (app, outdir) => {
    const { stack } = buildStack(app, options);
    extra?.(stack);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    let error: string | undefined;
    try {
      app.synth();
    } catch (caught) {
      error = (caught as Error).message;
    }
    const report = JSON.parse(readFileSync(path.join(outdir, 'validation-report.json'), 'utf8')) as Report;
    const findings = report.pluginReports.flatMap((plugin) =>
      plugin.violations.flatMap((v) => (v.violatingConstructs ?? [{ constructPath: '?' }]).map((c) => `${plugin.pluginName} ${v.ruleName} at ${c.constructPath}`)),
    );
    const acknowledgements = stack.node.findAll().flatMap((construct: IConstruct) =>
      construct.node.metadata
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
        .map(([id, reason]) => ({ path: construct.node.path, id: id.replace(/^annotation::/i, ''), reason })),
    );
    return { error, findings, acknowledgements };
  });
}

const VARIANTS: [string, SynthOptions][] = [
  ['real manifest, dev, Cognito', {}],
  ['real manifest, prod, Cognito', { context: { stage: 'prod' } }],
  [
    'fixture manifest with indexes, dev, OIDC issuer, alarm e-mail',
    {
      manifest: fixtureManifest,
      tableSchema: indexedSchema,
      context: { jwtIssuer: 'https://login.example.com', jwtAudience: 'app', alarmEmail: 'ops@example.com', rateLimits: 'create=5' },
    },
  ],
  ['fixture manifest, prod, Cognito, WebSocket access logs', { manifest: fixtureManifest, context: { stage: 'prod', wsAccessLogs: 'true' } }],
];

/** The rules this stack acknowledges somewhere; a new one must be added here deliberately. */
const ACKNOWLEDGED_RULES = [
  'AwsSolutions-APIG1',
  'AwsSolutions-APIG4',
  'AwsSolutions-CFR1',
  'AwsSolutions-CFR2',
  'AwsSolutions-CFR4',
  'AwsSolutions-COG2',
  'AwsSolutions-COG3',
  'AwsSolutions-COG8',
  'AwsSolutions-IAM5',
  'AwsSolutions-S1',
  'AwsSolutions-SNS2',
];

/** One synth per variant for both checks of it (a synth with cdk-nag is 2-4 s of a core). */
const runs = new Map<SynthOptions, NagRun>();
function nagOf(options: SynthOptions): NagRun {
  let run = runs.get(options);
  if (!run) runs.set(options, (run = nag(options)));
  return run;
}

describe('cdk-nag AwsSolutions checks', () => {
  it.each(VARIANTS)('leaves no unacknowledged finding: %s', (_name, options) => {
    const run = nagOf(options);
    expect(run.findings).toEqual([]);
    expect(run.error).toBeUndefined();
  });

  it('does report findings (the check is live): an unencrypted, unlogged bucket added to the stack fails synth', () => {
    const run = nag({}, (stack) => new Bucket(stack, 'Careless'));
    expect(run.error).toMatch(/AwsSolutions-S1/);
    expect(run.findings.some((finding) => /AwsSolutions-S1 at .*\/Careless\//.test(finding))).toBe(true);
  });

  it.each(VARIANTS)('acknowledges only specific findings on specific resources, each with a reason: %s', (_name, options) => {
    const { acknowledgements } = nagOf(options);
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const ack of acknowledgements) {
      // Nothing is waived for the whole stack or app: every acknowledgement sits below a resource construct.
      expect(ack.path.split('/').length, ack.path).toBeGreaterThan(2);
      expect(ack.reason.length, `${ack.id} at ${ack.path}`).toBeGreaterThanOrEqual(60);
      expect(ACKNOWLEDGED_RULES, ack.id).toContain(ack.id.replace(/\[.*$/, ''));
      // Wildcard IAM findings are acknowledged per resource ARN, never for every wildcard at once.
      if (ack.id.startsWith('AwsSolutions-IAM5')) expect(ack.id, ack.path).toMatch(/^AwsSolutions-IAM5\[Resource::<\w+\.Arn>\/.+\]$|^AwsSolutions-IAM5\[Resource::arn:.+\]$/);
    }
  });
});
