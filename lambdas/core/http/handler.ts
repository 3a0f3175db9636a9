import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { authenticate, type Principal } from '../auth.ts';
import { readEnv } from '../config.ts';
import { assertThroughEdge } from '../edge-origin.ts';
import { INTERNAL_ERROR_BODY, MethodNotAllowedError, NotFoundError, isAppError } from '../errors.ts';
import { logger } from '../logger.ts';
import { consumeRateLimit } from '../rate-limit.ts';
import { methodsAt, routeById } from '../../manifest.ts';

export interface HttpResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** What a handler gets: the verified caller and typed access to the request. */
export interface HttpRequest {
  event: APIGatewayProxyEventV2;
  principal: Principal;
  /** Query string values (the last one wins when a name repeats, as Django's QueryDict.get does). */
  query: Record<string, string>;
  /** A positive integer path parameter; anything else is a 404, as Django's `<int:pk>` would be. */
  idParam(name: string): number;
  /** The absolute URL of this route's path (with the documented trailing slash) plus `params`. */
  url(params?: Record<string, string | number | undefined>): string;
}

const JSON_HEADERS = { 'content-type': 'application/json' };

const config = readEnv({
  /** The origin clients call (the edge distribution or its custom domain), for absolute links; else the API's own domain. */
  PUBLIC_BASE_URL: z.optional(z.url()),
});

function toResult(result: HttpResult): APIGatewayProxyStructuredResultV2 {
  if (result.body === undefined) return { statusCode: result.status, headers: result.headers ?? {} };
  return {
    statusCode: result.status,
    headers: { ...JSON_HEADERS, ...result.headers },
    body: JSON.stringify(result.body),
  };
}

function queryOf(event: APIGatewayProxyEventV2): Record<string, string> {
  const query: Record<string, string> = {};
  // rawQueryString keeps repeats and order; API Gateway's map joins repeats with commas.
  for (const [name, value] of new URLSearchParams(event.rawQueryString ?? '')) query[name] = value;
  return query;
}

/**
 * The API's public origin, for absolute links: the configured one behind the edge (a link to the
 * execute-api domain would lead clients around the web ACL), else the domain API Gateway was
 * reached by (never a client-sent X-Forwarded-Host, which anyone could forge).
 */
function baseUrlOf(event: APIGatewayProxyEventV2): string {
  if (config.PUBLIC_BASE_URL) return config.PUBLIC_BASE_URL.replace(/\/+$/, '');
  const host = event.requestContext.domainName ?? event.headers?.host;
  const proto = (event.headers?.['x-forwarded-proto'] ?? 'https').split(',')[0]!.trim();
  return `${proto}://${host}`;
}

function requestOf(event: APIGatewayProxyEventV2, principal: Principal): HttpRequest {
  const path = event.rawPath.endsWith('/') ? event.rawPath : `${event.rawPath}/`;
  const base = baseUrlOf(event);
  return {
    event,
    principal,
    query: queryOf(event),
    idParam(name) {
      const raw = event.pathParameters?.[name] ?? '';
      if (!/^\d{1,15}$/.test(raw) || Number(raw) < 1) throw new NotFoundError();
      return Number(raw);
    },
    url(params = {}) {
      const search = new URLSearchParams();
      for (const [name, value] of Object.entries(params)) if (value !== undefined) search.set(name, String(value));
      const qs = search.toString();
      return `${base}${path}${qs ? `?${qs}` : ''}`;
    },
  };
}

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * The shared pipeline of every HTTP function: structured logging with the request id as
 * correlation id, and the one place where errors become HTTP responses. Only errors marked `expose`
 * (status < 500) show their body; everything else is logged and answered with the spec's generic 500.
 */
function pipeline(routeId: string, run: (event: APIGatewayProxyEventV2) => Promise<HttpResult>): Handler {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use({
      before: (request) => {
        logger.setCorrelationId(request.event.requestContext?.requestId);
        logger.appendKeys({ route: routeId });
      },
      onError: (request) => {
        const error = request.error;
        if (isAppError(error) && error.expose) {
          request.response = toResult({ status: error.status, body: error.body, headers: error.headers });
          return;
        }
        logger.error('Unhandled error', error as Error);
        request.response = toResult({ status: 500, body: INTERNAL_ERROR_BODY });
      },
    })
    .handler(async (event) => {
      assertThroughEdge(event.headers);
      return toResult(await run(event));
    }) as unknown as Handler;
}

/** A route's business function behind the pipeline, JWT authentication and the route's rate limit (from the manifest). */
export function httpHandler(routeId: string, business: (request: HttpRequest) => Promise<HttpResult>): Handler {
  const route = routeById(routeId);
  return pipeline(routeId, async (event) => {
    const principal = await authenticate(event.headers?.authorization);
    await consumeRateLimit(principal.id, route.rateClass);
    return business(requestOf(event, principal));
  });
}

/**
 * API Gateway's `$default` route, for requests no route matches. As Django and DRF answer: a path
 * no route serves is a 404 before any authentication; a served path asked with another method is
 * authenticated first (401), then a 405 naming the methods it allows. No rate limit: it writes nothing.
 * The `$default` route also catches OPTIONS: a CORS preflight carries no token, so a served path
 * answers it with 204 and API Gateway adds the configured CORS headers (a 401 would fail the preflight).
 */
export function fallbackHandler(routeId: string): Handler {
  return pipeline(routeId, async (event) => {
    const allowed = methodsAt(event.rawPath);
    if (allowed.length === 0) throw new NotFoundError();
    const method = event.requestContext.http.method;
    if (method === 'OPTIONS') return { status: 204, headers: { allow: [...allowed, 'OPTIONS'].join(', ') } };
    await authenticate(event.headers?.authorization);
    throw new MethodNotAllowedError(method, allowed);
  });
}
