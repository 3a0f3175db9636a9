import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type LambdaHandler = (event: any, context: Context) => Promise<any>;

/** Loads a manifest entry's `handler` export: the very module CDK bundles for AWS. */
export async function loadHandler(entry: string): Promise<LambdaHandler> {
  const module = (await import(pathToFileURL(path.resolve(REPO_ROOT, entry)).href)) as { handler?: LambdaHandler };
  if (typeof module.handler !== 'function') throw new Error(`${entry} does not export a handler`);
  return module.handler;
}

/** The Lambda context object, as far as handlers and Powertools read it. */
export function lambdaContext(functionName: string, timeoutSeconds: number, memoryMb = 512): Context {
  const deadline = Date.now() + timeoutSeconds * 1000;
  const requestId = randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: String(memoryMb),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/${requestId}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** One finished invocation, as Lambda would report it (its duration and whether it failed). */
export interface InvocationRecord {
  functionName: string;
  event: unknown;
  startedAt: number;
  durationMs: number;
  failed: boolean;
}

const observers = new Set<(record: InvocationRecord) => void>();
const running = new AsyncLocalStorage<string>();

/**
 * Watches every invocation this process makes (the scale model records invocations and durations,
 * and attributes each DynamoDB call to the function that made it). Returns the way to stop watching.
 */
export function observeInvocations(observer: (record: InvocationRecord) => void): () => void {
  observers.add(observer);
  return () => observers.delete(observer);
}

/** The function whose invocation the caller runs inside, if any. */
export function currentFunction(): string | undefined {
  return running.getStore();
}

let timeoutScale = 1;

/**
 * Stretches every function's timeout (the twin's `timeoutScale`). The twin runs every function in
 * one process against emulators on a laptop: a load test that saturates them (the races suite's 50
 * clients on 2 cores) queues requests for seconds that AWS would serve in milliseconds, and those
 * queues must not read as Lambda timeouts. Only such tests set it; everyone else keeps AWS's cut-off.
 */
export function setTimeoutScale(scale: number): void {
  timeoutScale = scale;
}

/** Runs a handler with the function's timeout, as Lambda would cut it off. */
export async function invoke(
  handler: LambdaHandler,
  event: unknown,
  functionName: string,
  configuredSeconds: number,
): Promise<unknown> {
  const timeoutSeconds = configuredSeconds * timeoutScale;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LambdaTimeoutError(functionName, timeoutSeconds)), timeoutSeconds * 1000);
  });
  const startedAt = performance.now();
  let failed = true;
  try {
    const result = await Promise.race([running.run(functionName, () => handler(event, lambdaContext(functionName, timeoutSeconds))), timeout]);
    failed = false;
    return result;
  } finally {
    clearTimeout(timer);
    if (observers.size > 0) {
      const record = { functionName, event, startedAt, durationMs: performance.now() - startedAt, failed };
      for (const observer of observers) observer(record);
    }
  }
}

export class LambdaTimeoutError extends Error {
  constructor(functionName: string, seconds: number) {
    super(`${functionName} timed out after ${seconds} s`);
  }
}
