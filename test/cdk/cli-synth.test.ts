import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultManifest, functionSpecs } from '../../lib/manifest.ts';
import { PROJECT_ROOT } from '../../lib/project.ts';

const run = promisify(execFile);
const BIN = path.join(PROJECT_ROOT, 'node_modules', '.bin');

/**
 * The real CLI, offline, with bundling: what `npm run synth` does, into a temp directory. Slow
 * (every handler is bundled by esbuild), so it is the one test of its kind.
 */
describe('cdk synth with the pinned CLI', () => {
  const outdir = mkdtempSync(path.join(tmpdir(), 'ventroom-cli-synth-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('synthesizes offline, bundles every function locally and passes cdk-nag', { timeout: 300_000 }, async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${BIN}${path.delimiter}${process.env.PATH}`, CDK_DISABLE_VERSION_CHECK: '1' };
    // As a person runs it: not in vitest's in-memory validation mode, and without credentials.
    for (const name of ['NODE_ENV', 'VITEST', 'AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) delete env[name];
    const started = performance.now();
    const result = await run(path.join(BIN, 'cdk'), ['synth', '--quiet', '-o', outdir], { cwd: PROJECT_ROOT, env, maxBuffer: 64 * 1024 * 1024 });
    const seconds = (performance.now() - started) / 1000;
    expect(`${result.stdout}${result.stderr}`).not.toMatch(/docker/i);

    const template = JSON.parse(readFileSync(path.join(outdir, 'ventroom-dev.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string; Properties: { FunctionName?: string; Code?: { S3Key?: string } } }>;
    };
    const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.FunctionName?.startsWith('ventroom-dev-'));
    const specs = functionSpecs(defaultManifest);
    expect(functions.map((fn) => fn.Properties.FunctionName).sort()).toEqual(specs.map((spec) => `ventroom-dev-${spec.id}`).sort());

    const sizes: string[] = [];
    for (const fn of functions) {
      const asset = path.join(outdir, `asset.${fn.Properties.Code!.S3Key!.replace(/\.zip$/, '')}`);
      const bundle = path.join(asset, 'index.mjs');
      expect(existsSync(bundle), `${fn.Properties.FunctionName}: ${bundle}`).toBe(true);
      expect(existsSync(`${bundle}.map`), `${fn.Properties.FunctionName}: source map`).toBe(true);
      sizes.push(`${fn.Properties.FunctionName} ${(statSync(bundle).size / 1024).toFixed(0)} KB`);
    }

    const report = JSON.parse(readFileSync(path.join(outdir, 'validation-report.json'), 'utf8')) as { pluginReports: { violations: unknown[] }[] };
    expect(report.pluginReports.flatMap((plugin) => plugin.violations)).toEqual([]);
    console.log(`cdk synth (with bundling) took ${seconds.toFixed(1)} s\n  ${sizes.join('\n  ')}`);
  });
});
