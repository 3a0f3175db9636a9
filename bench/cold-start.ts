import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Metafile } from 'esbuild';
import { defaultManifest, functionSpecs } from '../lib/manifest.ts';
import { PROJECT_ROOT } from '../lib/project.ts';
import { bundle, initOnceMs } from './bundles.ts';
import { median } from './support/stats.ts';
import type { Table } from './support/table.ts';

/**
 * Lambda cold start per handler: the bundle exactly as CDK builds it (lib/bundling.ts options, SDK
 * bundled) and its module init time in a fresh Node 24 process, against a baseline bundle built the
 * same way from only the AWS SDK clients that handler imports (each constructed once at module
 * scope, as the handlers do). The ratio is the price of our own code and its non-SDK dependencies.
 * Handler and baseline imports alternate, so machine noise hits both alike; median of RUNS each.
 */
const RUNS = 10;
const OUT = path.join(PROJECT_ROOT, 'node_modules', '.cache', 'ventroom-bench-cold-start');

export interface ColdStartRow {
  id: string;
  memoryMb: number;
  bytes: number;
  gzipBytes: number;
  initMs: number;
  /** SDK packages our code imports directly. */
  sdkPackages: string[];
  baselineBytes: number;
  baselineInitMs: number;
  /** Median of the per-run ratios handler / baseline (each pair measured back to back). */
  initRatio: number;
  /** The biggest non-SDK packages in the bundle (bytes in the output). */
  largest: { name: string; bytes: number }[];
  target: { text: string; met: boolean } | undefined;
}

/** How to construct each SDK package's client at module scope, as our code does. */
const CONSTRUCT: Record<string, { imports: string; value: string }> = {
  '@aws-sdk/client-dynamodb': { imports: "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';", value: 'new DynamoDBClient({})' },
  '@aws-sdk/lib-dynamodb': {
    imports: "import { DynamoDBClient as DocBaseClient } from '@aws-sdk/client-dynamodb';\nimport { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';",
    value: 'DynamoDBDocumentClient.from(new DocBaseClient({}))',
  },
  '@aws-sdk/client-sqs': { imports: "import { SQSClient } from '@aws-sdk/client-sqs';", value: 'new SQSClient({})' },
  '@aws-sdk/client-sns': { imports: "import { SNSClient } from '@aws-sdk/client-sns';", value: 'new SNSClient({})' },
  '@aws-sdk/client-s3': { imports: "import { S3Client } from '@aws-sdk/client-s3';", value: 'new S3Client({})' },
  '@aws-sdk/s3-request-presigner': { imports: "import { getSignedUrl } from '@aws-sdk/s3-request-presigner';", value: 'getSignedUrl' },
  '@aws-sdk/client-apigatewaymanagementapi': {
    imports: "import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';",
    value: "new ApiGatewayManagementApiClient({ endpoint: 'https://ws.example.com/dev' })",
  },
};

/** `@aws-sdk/*` packages imported by our own files (not by dependencies). */
function directSdkPackages(metafile: Metafile): string[] {
  const found = new Set<string>();
  for (const [file, input] of Object.entries(metafile.inputs)) {
    if (file.includes('node_modules/')) continue;
    for (const imported of input.imports) {
      const match = /^(@aws-sdk\/[^/]+)/.exec(imported.original ?? '');
      if (match) found.add(match[1]!);
    }
  }
  return [...found].sort();
}

/** Output bytes per npm package (SDK packages excluded: they are the baseline's too). */
function largestPackages(metafile: Metafile): { name: string; bytes: number }[] {
  const byPackage = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [file, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
      const name = match ? match[1]! : '(our code)';
      if (name.startsWith('@aws-sdk/') || name.startsWith('@smithy/') || name.startsWith('@aws-crypto/') || name === 'tslib') continue;
      byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
    }
  }
  return [...byPackage].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes).slice(0, 3);
}

function baselineSource(packages: string[]): string {
  const parts = packages.map((name) => CONSTRUCT[name] ?? { imports: `import * as sdk${packages.indexOf(name)} from '${name}';`, value: `sdk${packages.indexOf(name)}` });
  return `${parts.map((part) => part.imports).join('\n')}\nexport const clients = [${parts.map((part) => part.value).join(', ')}];\n`;
}

export async function measureColdStarts(log: (line: string) => void): Promise<ColdStartRow[]> {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  try {
    const specs = functionSpecs(defaultManifest);
    log(`cold start: bundling ${specs.length} handlers and their SDK-only baselines`);
    const handlers: { spec: (typeof specs)[number]; file: string; metafile: Metafile; baseline: string; packages: string[] }[] = [];
    const baselines = new Map<string, string>();
    for (const spec of specs) {
      const file = path.join(OUT, `${spec.id}.mjs`);
      const metafile = await bundle(spec.entry, file, true);
      const packages = directSdkPackages(metafile);
      const key = packages.join('+') || 'none';
      let baseline = baselines.get(key);
      if (!baseline) {
        // The entry must sit inside the project so esbuild resolves the SDK from its node_modules.
        const entry = path.join(OUT, `baseline-${baselines.size}.ts`);
        writeFileSync(entry, baselineSource(packages));
        baseline = path.join(OUT, `baseline-${baselines.size}.mjs`);
        await bundle(entry, baseline, true);
        baselines.set(key, baseline);
      }
      handlers.push({ spec, file, metafile, baseline, packages });
    }

    log(`cold start: ${RUNS} fresh-process imports of each handler and its baseline, alternating`);
    const times = new Map<string, number[]>();
    const ratios = new Map<string, number[]>();
    for (let run = 0; run < RUNS; run++) {
      for (const { spec, file, baseline } of handlers) {
        const pair = run % 2 === 0 ? [file, baseline] : [baseline, file];
        const [first, second] = pair.map((target) => {
          const ms = initOnceMs(target);
          times.set(target, [...(times.get(target) ?? []), ms]);
          return ms;
        });
        const handlerMs = pair[0] === file ? first! : second!;
        const baselineMs = pair[0] === file ? second! : first!;
        ratios.set(spec.id, [...(ratios.get(spec.id) ?? []), handlerMs / baselineMs]);
      }
    }

    return handlers.map(({ spec, file, metafile, baseline, packages }) => {
      const initMs = median(times.get(file)!);
      const baselineInitMs = median(times.get(baseline)!);
      const initRatio = median(ratios.get(spec.id)!);
      return {
        id: spec.id,
        memoryMb: spec.memoryMb,
        bytes: statSync(file).size,
        gzipBytes: gzipSync(readFileSync(file)).length,
        initMs,
        sdkPackages: packages,
        baselineBytes: statSync(baseline).size,
        baselineInitMs,
        initRatio,
        largest: largestPackages(metafile),
        target: packages.length ? { text: '≤1.3x SDK-only init', met: initRatio <= 1.3 } : undefined,
      };
    });
  } finally {
    rmSync(OUT, { recursive: true, force: true });
  }
}

const kb = (bytes: number) => `${Math.round(bytes / 1024)} KB`;

export function coldStartTable(rows: ColdStartRow[]): Table {
  return {
    title: 'Lambda cold start: bundle size and module init, against a bundle of only the SDK clients it uses',
    columns: ['function', 'bundle', 'gzip', 'init', 'SDK-only bundle', 'SDK-only init', 'init ratio', 'target', 'largest non-SDK parts', 'SDK clients'],
    rows: rows.map((row) => [
      row.id,
      kb(row.bytes),
      kb(row.gzipBytes),
      `${row.initMs.toFixed(0)} ms`,
      row.sdkPackages.length ? kb(row.baselineBytes) : '-',
      row.sdkPackages.length ? `${row.baselineInitMs.toFixed(0)} ms` : '-',
      row.sdkPackages.length ? `${row.initRatio.toFixed(2)}x` : '-',
      row.target ? (row.target.met ? 'met' : 'MISSED') : '-',
      row.largest.map((part) => `${part.name} ${kb(part.bytes)}`).join(', '),
      row.sdkPackages.map((name) => name.replace('@aws-sdk/', '')).join(' '),
    ]),
    notes: [
      `Bundles built with lib/bundling.ts options (minified ESM, SDK bundled, source maps), as CDK deploys them. init = median of ${RUNS} imports, each in a fresh Node ${process.version} process with --enable-source-maps; handler and baseline run back to back and the ratio is the median of those pairs' ratios (robust to a busy machine).`,
      'SDK-only bundle: the SDK packages our code imports directly, each client constructed once at module scope, bundled the same way. Lambda adds its own runtime start on top of both.',
    ],
  };
}
