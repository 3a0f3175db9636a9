import { describe, expect, it } from 'vitest';
import { DEFAULT_TIMEOUT_SECONDS } from '../../lambdas/manifest.ts';
import { manifestProblems } from '../../lib/manifest-checks.ts';
import { DEFAULT_MEMORY_MB, defaultManifest, functionSpecs, type Manifest } from '../../lib/manifest.ts';
import { fixtureManifest } from './support/fixture-manifest.ts';

function withChanges(change: (manifest: Manifest) => void): Manifest {
  const copy = structuredClone(fixtureManifest);
  change(copy);
  return copy;
}

describe('function specs from the manifest', () => {
  it('makes one function per HTTP route, the HTTP fallback, WebSocket route and consumer', () => {
    const specs = functionSpecs(fixtureManifest);
    expect(specs.map((spec) => spec.id)).toEqual([
      ...fixtureManifest.httpRoutes.map((route) => route.id),
      fixtureManifest.httpFallback!.id,
      ...fixtureManifest.wsRoutes.map((route) => route.id),
      ...fixtureManifest.consumers.map((consumer) => consumer.id),
    ]);
  });

  it('defaults timeout and memory, and keeps what an entry declares', () => {
    const byId = new Map(functionSpecs(fixtureManifest).map((spec) => [spec.id, spec]));
    expect(byId.get('ReadFeed')).toMatchObject({ timeoutSeconds: DEFAULT_TIMEOUT_SECONDS, memoryMb: DEFAULT_MEMORY_MB, trigger: 'http' });
    expect(byId.get('WriteThing')).toMatchObject({ timeoutSeconds: 29, memoryMb: 1536 });
    expect(byId.get('Join')).toMatchObject({ timeoutSeconds: 5, trigger: 'ws' });
    expect(byId.get('Cleaner')).toMatchObject({ timeoutSeconds: 120, trigger: 'queue' });
  });

  it('marks JWT verification on every HTTP route, the fallback (401 before 405) and only the $connect WebSocket route', () => {
    const verifying = functionSpecs(fixtureManifest).filter((spec) => spec.verifiesJwt).map((spec) => spec.id);
    expect(verifying).toEqual(['ReadFeed', 'WriteThing', 'Health', 'Unmatched', 'Connect']);
    expect(functionSpecs(fixtureManifest).find((spec) => spec.id === 'Unmatched')).toMatchObject({ trigger: 'http', rateLimited: false });
  });

  it('marks rate limiting on routes of a limited class only (HTTP, and WebSocket client-message routes)', () => {
    const limited = functionSpecs(fixtureManifest).filter((spec) => spec.rateLimited).map((spec) => spec.id);
    expect(limited).toEqual(['ReadFeed', 'WriteThing', 'Join']);
  });
});

describe('manifest checks', () => {
  it('accepts the real manifest and the fixture', () => {
    expect(manifestProblems(defaultManifest)).toEqual([]);
    expect(manifestProblems(fixtureManifest)).toEqual([]);
  });

  it('refuses a route path with a trailing slash', () => {
    const problems = manifestProblems(withChanges((m) => (m.httpRoutes[0]!.path = '/api/ventroom/feed/')));
    expect(problems.join()).toMatch(/must not end in "\/"/);
  });

  it('refuses a queue whose visibility timeout is under six consumer timeouts', () => {
    const problems = manifestProblems(withChanges((m) => (m.queues.find((q) => q.name === 'views')!.visibilityTimeoutSeconds = 119)));
    expect(problems.join()).toMatch(/queue "views": visibility timeout 119 s is less than 6 x the 20 s timeout of its consumer ViewsWorker \(120 s\)/);
  });

  it('refuses sending to or consuming an undeclared queue', () => {
    const problems = manifestProblems(withChanges((m) => (m.queues = m.queues.filter((q) => q.name !== 'views'))));
    expect(problems).toContain('WriteThing sends to queue "views", which the manifest does not declare');
    expect(problems).toContain('consumer ViewsWorker reads queue "views", which the manifest does not declare');
  });

  it('refuses connection management without a WebSocket API', () => {
    const problems = manifestProblems(withChanges((m) => (m.wsRoutes = [])));
    expect(problems.join()).toMatch(/Fanout manages WebSocket connections, but the manifest declares no WebSocket routes/);
  });

  it('refuses duplicate ids, route keys and methods', () => {
    const problems = manifestProblems(
      withChanges((m) => {
        m.httpRoutes.push({ ...m.httpRoutes[0]!, id: 'ReadFeed' });
        m.wsRoutes.push({ ...m.wsRoutes[0]!, id: 'Connect2' });
      }),
    );
    expect(problems).toContain('function id "ReadFeed" is used more than once');
    expect(problems).toContain('HTTP route "GET /api/ventroom/feed" is declared more than once');
    expect(problems).toContain('WebSocket route key "$connect" is declared more than once');
  });

  it('refuses timeouts API Gateway would cut and batches Lambda would refuse', () => {
    const problems = manifestProblems(
      withChanges((m) => {
        m.httpRoutes[0]!.timeoutSeconds = 31;
        m.consumers.find((c) => c.id === 'ViewsWorker')!.maxBatchingWindowSeconds = 0;
      }),
    );
    expect(problems.join()).toMatch(/ReadFeed: timeout 31 s is outside 1-30 s/);
    expect(problems.join()).toMatch(/ViewsWorker: a batch size above 10 needs a batching window/);
  });
});
