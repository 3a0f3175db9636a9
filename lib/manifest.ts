import * as routeManifest from '../lambdas/manifest.ts';
import type { Access, Consumer, HttpFallback, HttpRoute, QueueSpec, WsRoute } from '../lambdas/manifest.ts';

/** Everything the stack is built from. A prop of the stack, so tests can inject a richer fixture. */
export interface Manifest {
  httpRoutes: HttpRoute[];
  /** The HTTP API's `$default` route; without it API Gateway answers unmatched requests itself. */
  httpFallback?: HttpFallback;
  wsRoutes: WsRoute[];
  queues: QueueSpec[];
  consumers: Consumer[];
}

export const defaultManifest: Manifest = {
  httpRoutes: routeManifest.httpRoutes,
  httpFallback: routeManifest.httpFallback,
  wsRoutes: routeManifest.wsRoutes,
  queues: routeManifest.queues,
  consumers: routeManifest.consumers,
};

/** How a function is invoked; decides the environment and grants beyond its declared access. */
export type Trigger = 'http' | 'ws' | 'queue';

/** One Lambda function to create, whatever kind of manifest entry it came from. */
export interface FunctionSpec {
  id: string;
  entry: string;
  trigger: Trigger;
  access: Access;
  timeoutSeconds: number;
  memoryMb: number;
  /** The HTTP route's rate class; requests of a limited class write a counter to the table. */
  rateLimited: boolean;
  /** Verifies a caller's JWT: every HTTP route and the WebSocket `$connect` route. */
  verifiesJwt: boolean;
}

export const DEFAULT_MEMORY_MB = 512;

/** The entry's own memory size when its type has one (WebSocket routes and consumers may gain it later). */
function memoryOf(entry: object): number {
  const memory = (entry as { memoryMb?: unknown }).memoryMb;
  return typeof memory === 'number' ? memory : DEFAULT_MEMORY_MB;
}

export function functionSpecs(manifest: Manifest): FunctionSpec[] {
  const timeout = (seconds: number | undefined) => seconds ?? routeManifest.DEFAULT_TIMEOUT_SECONDS;
  return [
    ...manifest.httpRoutes.map((route): FunctionSpec => ({
      id: route.id,
      entry: route.entry,
      trigger: 'http',
      access: route.access,
      timeoutSeconds: timeout(route.timeoutSeconds),
      memoryMb: memoryOf(route),
      rateLimited: route.rateClass !== 'none',
      verifiesJwt: true,
    })),
    ...(manifest.httpFallback ? [manifest.httpFallback] : []).map((fallback): FunctionSpec => ({
      id: fallback.id,
      entry: fallback.entry,
      trigger: 'http',
      access: fallback.access,
      timeoutSeconds: timeout(undefined),
      memoryMb: memoryOf(fallback),
      rateLimited: false,
      // A known path asked with the wrong method is authenticated before its 405, as DRF does.
      verifiesJwt: true,
    })),
    ...manifest.wsRoutes.map((route): FunctionSpec => ({
      id: route.id,
      entry: route.entry,
      trigger: 'ws',
      access: route.access,
      timeoutSeconds: timeout(route.timeoutSeconds),
      memoryMb: memoryOf(route),
      rateLimited: route.rateClass !== 'none',
      verifiesJwt: route.routeKey === '$connect',
    })),
    ...manifest.consumers.map((consumer): FunctionSpec => ({
      id: consumer.id,
      entry: consumer.entry,
      trigger: 'queue',
      access: consumer.access,
      timeoutSeconds: timeout(consumer.timeoutSeconds),
      memoryMb: memoryOf(consumer),
      rateLimited: false,
      verifiesJwt: false,
    })),
  ];
}
