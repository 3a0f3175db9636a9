import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { TableSchema } from '../../../lambdas/core/table-schema.ts';
import { readConfig, type VentroomConfig } from '../../../lib/config.ts';
import type { Manifest } from '../../../lib/manifest.ts';
import { PROJECT_ROOT } from '../../../lib/project.ts';
import { VentroomStack } from '../../../lib/ventroom-stack.ts';

export interface SynthOptions {
  /** CDK context on top of cdk.json's (e.g. stage, jwtIssuer). */
  context?: Record<string, unknown>;
  manifest?: Manifest;
  tableSchema?: TableSchema;
  /** The CLI's environment (CDK_DEFAULT_ACCOUNT, CDK_DEFAULT_REGION); empty unless given. */
  env?: NodeJS.ProcessEnv;
}

/** cdk.json's context (feature flags, default stage), so tests build what `cdk synth` builds. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  return cdkJson.context ?? {};
}

/** A fresh App writing into its own temp directory, with bundling off (template tests never bundle). */
export function newApp(context: Record<string, unknown> = {}): { app: App; outdir: string } {
  const outdir = mkdtempSync(path.join(tmpdir(), 'ventroom-cdk-test-'));
  const app = new App({ outdir, context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], ...context } });
  return { app, outdir };
}

export function buildStack(app: App, options: SynthOptions = {}): { stack: VentroomStack; config: VentroomConfig } {
  const config = readConfig((key) => app.node.tryGetContext(key), options.env ?? {});
  const stack = new VentroomStack(app, 'VentroomTest', { config, manifest: options.manifest, tableSchema: options.tableSchema });
  return { stack, config };
}

/** Runs `work` with a fresh App and removes the App's output directory afterwards. */
export function withApp<T>(context: Record<string, unknown> | undefined, work: (app: App, outdir: string) => T): T {
  const { app, outdir } = newApp(context);
  try {
    return work(app, outdir);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

export function synthTemplate(options: SynthOptions = {}): { template: Template; stack: VentroomStack; config: VentroomConfig } {
  return withApp(options.context, (app) => {
    const { stack, config } = buildStack(app, options);
    return { template: Template.fromStack(stack), stack, config };
  });
}
