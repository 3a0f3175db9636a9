import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { bundlingOptions } from '../lib/bundling.ts';
import { defaultManifest, functionSpecs } from '../lib/manifest.ts';
import { PROJECT_ROOT } from '../lib/project.ts';
import { queueUrlVariable } from '../lambdas/manifest.ts';

/**
 * Bundle size and module init time per handler, with the AWS SDK bundled (what the stack deploys)
 * and left to the runtime (`@aws-sdk/*` external, loaded from node_modules as the runtime's own copy
 * would be). Uses the stack's esbuild options. `npx tsx bench/bundles.ts [runs]`.
 */
const RUNS = Number(process.argv[2] ?? 7);
/** The project's pinned Node (the runtime's major), whatever Node runs this script. */
const PINNED_NODE = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'node');
export const NODE = existsSync(PINNED_NODE) ? PINNED_NODE : process.execPath;
const OUT = path.join(PROJECT_ROOT, 'node_modules', '.cache', 'ventroom-bench-bundles');

/** Stand-in configuration: enough for every handler module to pass its cold-start checks offline. */
export const ENV: Record<string, string> = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  TABLE_NAME: 'bench',
  MEDIA_BUCKET: 'bench',
  MEDIA_BASE_URL: 'https://media.example.com',
  JWT_ISSUER: 'https://issuer.example.com',
  JWT_AUDIENCE: 'bench',
  JWKS_URI: 'https://issuer.example.com/.well-known/jwks.json',
  WS_MANAGEMENT_ENDPOINT: 'https://ws.example.com/dev',
  NOTIFICATIONS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:bench',
  POWERTOOLS_LOG_LEVEL: 'ERROR',
  ...Object.fromEntries(defaultManifest.queues.map((q) => [queueUrlVariable(q.name), `https://sqs.us-east-1.amazonaws.com/123456789012/${q.name}`])),
};

/** Bundles `entry` (relative to the repository, or absolute) with the stack's esbuild options; returns esbuild's metafile. */
export async function bundle(entry: string, outfile: string, bundleSdk: boolean): Promise<Metafile> {
  const options = bundlingOptions();
  const result = await build({
    entryPoints: [path.resolve(PROJECT_ROOT, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    target: options.target,
    format: 'esm',
    minify: options.minify,
    sourcemap: options.sourceMap,
    sourcesContent: options.sourcesContent,
    mainFields: options.mainFields,
    banner: { js: options.banner ?? '' },
    external: bundleSdk ? [] : ['@aws-sdk/*'],
    logLevel: 'error',
    metafile: true,
  });
  return result.metafile;
}

/** Wall time of importing the module once in a fresh Node process (what a cold start pays for module init). */
export function initOnceMs(file: string): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); console.log(performance.now() - t);`;
  const out = execFileSync(NODE, ['--enable-source-maps', '--input-type=module', '-e', script], {
    env: { ...process.env, ...ENV },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return Number(out.trim());
}

/** Median of `RUNS` fresh-process imports. */
function initMs(file: string): number {
  const times: number[] = [];
  for (let run = 0; run < RUNS; run++) times.push(initOnceMs(file));
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

export const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;

async function main(): Promise<void> {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const rows: string[][] = [['function', 'bundled SDK', 'gzip', 'init', 'runtime SDK', 'gzip', 'init']];
  for (const spec of functionSpecs(defaultManifest)) {
    const cells = [spec.id];
    for (const bundleSdk of [true, false]) {
      const file = path.join(OUT, `${spec.id}-${bundleSdk ? 'bundled' : 'external'}.mjs`);
      await bundle(spec.entry, file, bundleSdk);
      cells.push(kb(statSync(file).size), kb(gzipSync(readFileSync(file)).length), `${initMs(file).toFixed(0)} ms`);
    }
    rows.push(cells);
  }
  rmSync(OUT, { recursive: true, force: true });

  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  for (const row of rows) console.log(row.map((cell, column) => cell.padStart(widths[column]!)).join('  '));
  const version = execFileSync(NODE, ['--version'], { encoding: 'utf8' }).trim();
  console.log(`\ninit = median of ${RUNS} fresh-process imports on Node ${version} (${process.arch}); Lambda adds its own runtime start.`);
}

if (isMain) await main();
