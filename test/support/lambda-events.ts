import type { APIGatewayProxyEventV2, SQSEvent } from 'aws-lambda';
import { httpApiEvent, sqsRecord } from '../../local/lambda-events.ts';
import { lambdaContext, type LambdaHandler } from '../../local/lambda-runtime.ts';
import type { TestUser } from './api.ts';

/**
 * Lambda events for calling handler modules in the test process (integration tests that inject
 * faults into the handlers' own SDK clients), shaped as API Gateway and SQS send them.
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

/** Invokes an HTTP handler module's `handler` in-process, as the local gateway would. */
export async function invokeHttp(handler: LambdaHandler, request: HttpCall): Promise<HandlerResponse> {
  const result = (await handler(httpEvent(request), lambdaContext('test', 30))) as { statusCode: number; body?: string };
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

export function invokeWorker(handler: LambdaHandler, event: SQSEvent): Promise<{ batchItemFailures: { itemIdentifier: string }[] }> {
  return handler(event, lambdaContext('test-worker', 30));
}
