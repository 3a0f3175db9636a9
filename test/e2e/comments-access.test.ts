import path from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { consumers, httpRoutes, type Access, type QueueName } from '../../lambdas/manifest.ts';
import { REPO_ROOT } from '../../local/lambda-runtime.ts';

/**
 * A function gets only the configuration its manifest `access` grants, and modules read theirs at
 * cold start: a handler whose bundle pulls in the notifications sender without `sendTo:
 * ['notifications']` dies on its first invocation in AWS, while the twin (which sets everything)
 * never notices. So: bundle each function of this feature and hold its module graph to its access,
 * both ways (what it loads is granted; what is granted is used).
 */
const FEATURE = ['ListComments', 'CreateComment', 'UpdateComment', 'DeleteComment', 'PostWithComments', 'CreateReaction', 'DeleteReaction', 'Notifications', 'Cleanup'];

const NEEDS: { module: string; grant: (access: Access) => boolean; what: string }[] = [
  ...(['views', 'notifications', 'cleanup', 'broadcast'] as QueueName[]).map((queue) => ({
    module: queue === 'broadcast' ? 'lambdas/core/broadcast.ts' : `lambdas/core/${queue}-queue.ts`,
    grant: (access: Access) => access.sendTo?.includes(queue) ?? false,
    what: `sendTo ${queue}`,
  })),
  { module: 'lambdas/core/media.ts', grant: (access) => access.media === 'readWrite', what: 'media readWrite' },
  { module: '@aws-sdk/client-sns', grant: (access) => access.notificationsTopic === true, what: 'notificationsTopic' },
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
  const functions = [...httpRoutes, ...consumers].filter((fn) => FEATURE.includes(fn.id));

  it('covers every function of the feature', () => {
    expect(functions.map((fn) => fn.id).sort()).toEqual([...FEATURE].sort());
  });

  for (const fn of functions) {
    it(`${fn.id}: loads exactly what its access grants`, async () => {
      const modules = await modulesOf(fn.entry);
      for (const need of NEEDS) {
        expect(modules.has(need.module), `${fn.id} ${need.grant(fn.access) ? 'is granted but never uses' : 'loads without a grant'}: ${need.what}`).toBe(
          need.grant(fn.access),
        );
      }
    });
  }
});
