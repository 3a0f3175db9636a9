import type { APIGatewayProxyEventV2, SQSEvent } from 'aws-lambda';
import { IAM_CALLS_DIR_VARIABLE, installAwsCallRecorder } from '../../local/aws-call-recorder.ts';
import { httpApiEvent, sqsRecord } from '../../local/lambda-events.ts';
import { invoke, loadHandler, type LambdaHandler } from '../../local/lambda-runtime.ts';
import { consumers, httpFallback, httpRoutes, routePattern, type Consumer } from '../../lambdas/manifest.ts';
import type { TestUser } from './api.ts';

/**
 * Lambda events for calling handler modules in the test process (integration tests that inject
 * faults into the handlers' own SDK clients), shaped as API Gateway and SQS send them. Each call runs
 * as an invocation of the manifest function the handler belongs to, as the twin's runtime runs it,
 * so the AWS calls it makes count for that function in the least-privilege check (test/iam).
 */
export interface HttpCall {
  method: string;
  /** The request path, e.g. /api/ventroom/posts/12/. */
  path: string;
  pathParameters?: Record<string, string>;
  user?: TestUser;
  json?: unknown;
  /** A raw body (multipart, say), sent base64-encoded as API Gateway sends binary bodies; set its content-type in `headers`. */
  raw?: Buffer;
  headers?: Record<string, string>;
  query?: string;
}

export function httpEvent(request: HttpCall): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = { host: 'ventroom.test', 'x-forwarded-proto': 'https', ...request.headers };
  if (request.user) headers.authorization = `Bearer ${request.user.token}`;
  if (request.json !== undefined) headers['content-type'] ??= 'application/json';
  return httpApiEvent({
    method: request.method,
    routePath: request.path,
    rawPath: request.path,
    rawQueryString: request.query,
    headers,
    pathParameters: request.pathParameters,
    body: request.raw ?? (request.json === undefined ? undefined : Buffer.from(JSON.stringify(request.json))),
    apiId: 'test',
  });
}

export interface HandlerResponse {
  status: number;
  body: any;
  text: string;
}

/** The timeout in-process invocations run with (the tests' own budget; API Gateway's integration cap). */
const IN_PROCESS_TIMEOUT_SECONDS = 30;

/** Records this process's AWS calls when the test run asks for it (test/support/global-setup.ts). */
function recordIfAsked(): void {
  const dir = process.env[IAM_CALLS_DIR_VARIABLE];
  if (dir) installAwsCallRecorder(dir);
}

/** Checks that `handler` is the one the manifest entry names: a call is attributed to that function. */
async function expectEntry(handler: LambdaHandler, id: string, entry: string): Promise<void> {
  if ((await loadHandler(entry)) !== handler) throw new Error(`The handler invoked is not ${id}'s (${entry})`);
}

/** The manifest function serving a request: the route with the most literal segments wins, as at the gateway. */
function httpFunctionOf(method: string, path: string): { id: string; entry: string } {
  const candidates = httpRoutes
    .filter((route) => route.methods.includes(method as never) && routePattern(route.path).pattern.test(path))
    .sort((a, b) => routePattern(b.path).staticSegments - routePattern(a.path).staticSegments);
  return candidates[0] ?? httpFallback;
}

/** Invokes an HTTP handler module's `handler` in-process, as the local gateway would. */
export async function invokeHttp(handler: LambdaHandler, request: HttpCall): Promise<HandlerResponse> {
  const fn = httpFunctionOf(request.method, request.path.split('?')[0]!);
  await expectEntry(handler, fn.id, fn.entry);
  recordIfAsked();
  const result = (await invoke(handler, httpEvent(request), fn.id, IN_PROCESS_TIMEOUT_SECONDS)) as { statusCode: number; body?: string };
  const text = result.body ?? '';
  return { status: result.statusCode, text, body: text ? JSON.parse(text) : undefined };
}

/** An SQS event of the given bodies (`receiveCount` > 1 marks a redelivery). */
export function sqsEvent(bodies: string[], options: { receiveCount?: number; messageIds?: string[] } = {}): SQSEvent {
  return {
    Records: bodies.map((body, index) =>
      sqsRecord({ body, messageId: options.messageIds?.[index], receiveCount: options.receiveCount, senderId: 'test', queueArn: 'arn:aws:sqs:us-east-1:000000000000:test' }),
    ),
  };
}

/** Invokes a queue consumer's `handler` in-process with its manifest timeout, as the poller would. */
export async function invokeWorker(id: Consumer['id'], handler: LambdaHandler, event: SQSEvent): Promise<{ batchItemFailures: { itemIdentifier: string }[] }> {
  const consumer = consumers.find((candidate) => candidate.id === id);
  if (!consumer) throw new Error(`No consumer "${id}" in the manifest`);
  await expectEntry(handler, consumer.id, consumer.entry);
  recordIfAsked();
  return (await invoke(handler, event, consumer.id, consumer.timeoutSeconds)) as { batchItemFailures: { itemIdentifier: string }[] };
}
