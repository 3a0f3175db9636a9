import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyEventV2, SQSEvent } from 'aws-lambda';
import { httpRoutes, wsRoutes, consumers, DEFAULT_TIMEOUT_SECONDS, type HttpMethod, type HttpRoute } from '../../lambdas/manifest.ts';
import { httpApiEvent, sqsRecord } from '../../local/lambda-events.ts';
import { invoke, loadHandler, type LambdaHandler } from '../../local/lambda-runtime.ts';
import { connectionId, requestContext } from '../../local/ws-gateway.ts';
import type { BenchUser } from './twin.ts';

/**
 * Runs the real handler modules (the manifest's entries, as CDK bundles them) in the bench process
 * with API Gateway / SQS event shapes, so a measurement covers everything a Lambda invocation does:
 * JWT verification, rate limiting, validation, domain code, DTOs, enqueues.
 */
const handlers = new Map<string, Promise<LambdaHandler>>();

function handlerFor(entry: string): Promise<LambdaHandler> {
  let loaded = handlers.get(entry);
  if (!loaded) handlers.set(entry, (loaded = loadHandler(entry)));
  return loaded;
}

/**
 * The manifest route serving `method path` (paths as a client sends them), the most specific one
 * when several match (`/posts/trending` over `/posts/{post_id}`), as API Gateway chooses.
 */
export function findRoute(method: HttpMethod, path: string): { route: HttpRoute; params: Record<string, string> } | undefined {
  const segments = path.replace(/\?.*$/, '').split('/').filter(Boolean);
  let best: { route: HttpRoute; params: Record<string, string>; fixed: number } | undefined;
  for (const route of httpRoutes) {
    if (!route.methods.includes(method)) continue;
    const pattern = route.path.split('/').filter(Boolean);
    if (pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let fixed = 0;
    const matches = pattern.every((part, index) => {
      const param = /^\{(\w+)\}$/.exec(part);
      if (param) {
        params[param[1]!] = segments[index]!;
        return true;
      }
      fixed += 1;
      return part === segments[index];
    });
    if (matches && (!best || fixed > best.fixed)) best = { route, params, fixed };
  }
  return best && { route: best.route, params: best.params };
}

/** Whether the manifest has a route with exactly this template (e.g. `/api/ventroom/posts/{post_id}/comments`). */
export function hasRoute(method: HttpMethod, template: string): boolean {
  const wanted = template.replace(/\/$/, '');
  return httpRoutes.some((route) => route.methods.includes(method) && route.path === wanted);
}

export interface HttpCall {
  method: HttpMethod;
  /** As a client would send it, e.g. `/api/ventroom/posts/?page=2`. */
  path: string;
  user: BenchUser;
  json?: unknown;
}

export interface HttpOutcome {
  status: number;
  body: any;
}

export function httpEvent(call: HttpCall, routePath: string, params: Record<string, string>): APIGatewayProxyEventV2 {
  const url = new URL(call.path, 'http://bench.local');
  const headers: Record<string, string> = { host: 'bench.local', 'x-forwarded-proto': 'http', authorization: `Bearer ${call.user.token}` };
  if (call.json !== undefined) headers['content-type'] = 'application/json';
  return httpApiEvent({
    method: call.method,
    routePath,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    pathParameters: params,
    body: call.json === undefined ? undefined : Buffer.from(JSON.stringify(call.json)),
    apiId: 'bench',
  });
}

export async function invokeHttp(call: HttpCall): Promise<HttpOutcome> {
  const found = findRoute(call.method, call.path);
  if (!found) throw new Error(`No route for ${call.method} ${call.path}`);
  const handler = await handlerFor(found.route.entry);
  const result = (await invoke(handler, httpEvent(call, found.route.path, found.params), found.route.id, found.route.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS)) as {
    statusCode: number;
    body?: string;
  };
  return { status: result.statusCode, body: result.body ? JSON.parse(result.body) : undefined };
}

/** An HTTP call that must succeed; anything else stops the run with the response in the message. */
export async function invokeOk(call: HttpCall, expected = [200, 201]): Promise<any> {
  const outcome = await invokeHttp(call);
  if (!expected.includes(outcome.status)) throw new Error(`${call.method} ${call.path} answered ${outcome.status}: ${JSON.stringify(outcome.body)}`);
  return outcome.body;
}

/** The requestContext the local gateway would build for this connection (a client that connected just now). */
function wsContext(id: string, routeKey: string, eventType: string) {
  return requestContext({ id, connectedAt: Date.now(), sourceIp: '127.0.0.1', userAgent: 'bench' }, routeKey, eventType, 'bench.local');
}

export const newConnectionId = connectionId;

/** A WebSocket `$connect` with the token in the query string (what the app does). */
export async function invokeWsConnect(connectionId: string, user: BenchUser): Promise<number> {
  const route = wsRoutes.find((candidate) => candidate.routeKey === '$connect')!;
  const result = (await invoke(
    await handlerFor(route.entry),
    { headers: {}, queryStringParameters: { token: user.token }, isBase64Encoded: false, requestContext: wsContext(connectionId, '$connect', 'CONNECT') },
    route.id,
    route.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
  )) as { statusCode: number };
  return result.statusCode;
}

/** A client message on an open connection, routed on its `type` as API Gateway does. */
export async function invokeWsMessage(connectionId: string, message: { type: string; data?: unknown }): Promise<any> {
  const route = wsRoutes.find((candidate) => candidate.routeKey === message.type);
  if (!route) throw new Error(`No WebSocket route for ${message.type}`);
  const result = (await invoke(
    await handlerFor(route.entry),
    {
      body: JSON.stringify(message),
      isBase64Encoded: false,
      requestContext: { ...wsContext(connectionId, route.routeKey, 'MESSAGE'), messageId: randomBytes(11).toString('base64') },
    },
    route.id,
    route.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
  )) as { body?: string };
  return result.body ? JSON.parse(result.body) : undefined;
}

/** A batch as the event source mapping hands it to a consumer. */
export function sqsEvent(bodies: string[], queueArn = 'arn:aws:sqs:us-east-1:000000000000:bench'): SQSEvent {
  return { Records: bodies.map((body) => sqsRecord({ body, senderId: 'bench', queueArn })) };
}

export async function invokeConsumer(consumerId: string, bodies: string[]): Promise<{ batchItemFailures?: { itemIdentifier: string }[] }> {
  const consumer = consumers.find((candidate) => candidate.id === consumerId);
  if (!consumer) throw new Error(`No consumer ${consumerId}`);
  return (await invoke(await handlerFor(consumer.entry), sqsEvent(bodies), consumer.id, consumer.timeoutSeconds)) as {
    batchItemFailures?: { itemIdentifier: string }[];
  };
}
