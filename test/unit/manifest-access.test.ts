import path from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { consumers, httpFallback, httpRoutes, wsRoutes, type Access, type QueueName } from '../../lambdas/manifest.ts';
import { REPO_ROOT } from '../../local/lambda-runtime.ts';

/**
 * A function gets only the configuration its manifest `access` grants, and modules read theirs at
 * cold start: a handler whose bundle pulls in the notifications sender without `sendTo:
 * ['notifications']` dies on its first invocation in AWS, while the twin (which sets everything)
 * never notices. So: bundle every function of the manifest and hold its module graph to its
 * access, both ways (what it loads is granted; what is granted is used).
 */
type Fn = { id: string; entry: string; access: Access; verifiesJwt: boolean };

const FUNCTIONS: Fn[] = [
  ...httpRoutes.map((route) => ({ ...route, verifiesJwt: true })),
  { ...httpFallback, verifiesJwt: true },
  ...wsRoutes.map((route) => ({ ...route, verifiesJwt: route.routeKey === '$connect' })),
  ...consumers.map((consumer) => ({ ...consumer, verifiesJwt: false })),
];

/** Modules that read a setting at load; a function loads one of them exactly when it is granted the setting. */
const NEEDS: { modules: string[]; grant: (fn: Fn) => boolean; what: string }[] = [
  ...(['views', 'notifications', 'cleanup', 'broadcast'] as QueueName[]).map((queue) => ({
    // The fan-out worker re-enqueues chunks itself, so it reads the broadcast queue's URL directly;
    // the coalesced counters schedule their flushes on it (core/counters.ts).
    modules: queue === 'broadcast' ? ['lambdas/core/broadcast.ts', 'lambdas/workers/broadcast.ts', 'lambdas/core/counters.ts'] : [`lambdas/core/${queue}-queue.ts`],
    grant: (fn: Fn) => fn.access.sendTo?.includes(queue) ?? false,
    what: `sendTo ${queue}`,
  })),
  { modules: ['lambdas/core/media.ts'], grant: (fn) => fn.access.media !== undefined, what: 'media' },
  { modules: ['@aws-sdk/client-sns'], grant: (fn) => fn.access.notificationsTopic === true, what: 'notificationsTopic' },
  { modules: ['@aws-sdk/client-apigatewaymanagementapi'], grant: (fn) => (fn.access.manageConnections?.length ?? 0) > 0, what: 'manageConnections' },
  { modules: ['lambdas/core/auth.ts'], grant: (fn) => fn.verifiesJwt, what: 'the JWT verifier settings (HTTP routes and $connect)' },
];

async function modulesOf(entry: string): Promise<Set<string>> {
  const result = await build({
    entryPoints: [path.join(REPO_ROOT, entry)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    write: false,
    metafile: true,
    packages: 'external',
    logLevel: 'silent',
  });
  const modules = new Set<string>();
  for (const [file, input] of Object.entries(result.metafile.inputs)) {
    modules.add(file);
    for (const imported of input.imports) if (imported.external) modules.add(imported.path);
  }
  return modules;
}

describe('manifest access matches what each function loads', () => {
  for (const fn of FUNCTIONS) {
    it(`${fn.id}: loads exactly what its access grants`, async () => {
      const modules = await modulesOf(fn.entry);
      for (const need of NEEDS) {
        expect(need.modules.some((module) => modules.has(module)), `${fn.id} ${need.grant(fn) ? 'is granted but never uses' : 'loads without a grant'}: ${need.what}`).toBe(
          need.grant(fn),
        );
      }
    });
  }
});
