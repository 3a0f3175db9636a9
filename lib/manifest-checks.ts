import { functionSpecs, type Manifest } from './manifest.ts';

/** API Gateway cuts an HTTP API integration at 30 s and a WebSocket integration at 29 s. */
const HTTP_INTEGRATION_LIMIT_SECONDS = 30;
const WS_INTEGRATION_LIMIT_SECONDS = 29;

/** AWS guidance for SQS event sources: visibility at least six times the function timeout. */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

/** Function ids become construct ids and part of function names (64 characters at most). */
const FUNCTION_ID = /^[A-Za-z][A-Za-z0-9]{0,39}$/;

function duplicates(values: string[]): string[] {
  return [...new Set(values.filter((value, index) => values.indexOf(value) !== index))];
}

/**
 * Everything about the manifest that would otherwise surface as a failed deployment, a silently
 * broken route, or a queue that redelivers messages still being processed. Returns the problems;
 * the stack refuses to synthesize while there are any.
 */
export function manifestProblems(manifest: Manifest): string[] {
  const problems: string[] = [];
  const specs = functionSpecs(manifest);
  const queueNames = manifest.queues.map((queue) => queue.name);

  for (const id of duplicates(specs.map((spec) => spec.id))) problems.push(`function id "${id}" is used more than once`);
  for (const spec of specs.filter((s) => !FUNCTION_ID.test(s.id))) {
    problems.push(`function id "${spec.id}" must be 1-40 letters and digits, starting with a letter`);
  }
  for (const name of duplicates(queueNames)) problems.push(`queue "${name}" is declared more than once`);

  const routeKeys = manifest.httpRoutes.flatMap((route) => route.methods.map((method) => `${method} ${route.path}`));
  for (const key of duplicates(routeKeys)) problems.push(`HTTP route "${key}" is declared more than once`);
  for (const route of manifest.httpRoutes) {
    if (!route.path.startsWith('/')) problems.push(`HTTP route ${route.id}: path "${route.path}" must start with "/"`);
    if (route.path.length > 1 && route.path.endsWith('/')) {
      problems.push(`HTTP route ${route.id}: path "${route.path}" must not end in "/" (API Gateway route keys cannot)`);
    }
    if (route.methods.length === 0) problems.push(`HTTP route ${route.id} has no methods`);
  }
  for (const key of duplicates(manifest.wsRoutes.map((route) => route.routeKey))) {
    problems.push(`WebSocket route key "${key}" is declared more than once`);
  }

  for (const spec of specs) {
    const limit = spec.trigger === 'http' ? HTTP_INTEGRATION_LIMIT_SECONDS : spec.trigger === 'ws' ? WS_INTEGRATION_LIMIT_SECONDS : 900;
    if (spec.timeoutSeconds < 1 || spec.timeoutSeconds > limit) {
      problems.push(`${spec.id}: timeout ${spec.timeoutSeconds} s is outside 1-${limit} s for a ${spec.trigger} function`);
    }
    for (const queue of spec.access.sendTo ?? []) {
      if (!queueNames.includes(queue)) problems.push(`${spec.id} sends to queue "${queue}", which the manifest does not declare`);
    }
    if (spec.access.manageConnections?.length && manifest.wsRoutes.length === 0) {
      problems.push(`${spec.id} manages WebSocket connections, but the manifest declares no WebSocket routes (so no WebSocket API)`);
    }
  }

  for (const consumer of manifest.consumers) {
    const queue = manifest.queues.find((candidate) => candidate.name === consumer.queue);
    if (!queue) {
      problems.push(`consumer ${consumer.id} reads queue "${consumer.queue}", which the manifest does not declare`);
      continue;
    }
    if (consumer.batchSize < 1 || consumer.batchSize > 10_000) problems.push(`consumer ${consumer.id}: batch size must be 1-10000`);
    if (consumer.maxBatchingWindowSeconds < 0 || consumer.maxBatchingWindowSeconds > 300) {
      problems.push(`consumer ${consumer.id}: batching window must be 0-300 s`);
    }
    // Lambda refuses batches above ten messages without a batching window of at least a second.
    if (consumer.batchSize > 10 && consumer.maxBatchingWindowSeconds < 1) {
      problems.push(`consumer ${consumer.id}: a batch size above 10 needs a batching window of at least 1 s`);
    }
    if (consumer.maxConcurrency < 2 || consumer.maxConcurrency > 1000) problems.push(`consumer ${consumer.id}: maxConcurrency must be 2-1000`);
    const needed = VISIBILITY_TIMEOUT_FACTOR * consumer.timeoutSeconds;
    if (queue.visibilityTimeoutSeconds < needed) {
      problems.push(
        `queue "${queue.name}": visibility timeout ${queue.visibilityTimeoutSeconds} s is less than ` +
          `${VISIBILITY_TIMEOUT_FACTOR} x the ${consumer.timeoutSeconds} s timeout of its consumer ${consumer.id} (${needed} s)`,
      );
    }
  }
  return problems;
}

export function assertValidManifest(manifest: Manifest): void {
  const problems = manifestProblems(manifest);
  if (problems.length > 0) throw new Error(`The route manifest is not deployable:\n  - ${problems.join('\n  - ')}`);
}
