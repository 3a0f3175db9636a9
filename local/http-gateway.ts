import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { DEFAULT_TIMEOUT_SECONDS, httpFallback, httpRoutes, routePattern, type HttpRoute } from '../lambdas/manifest.ts';
import { MISDIRECTED, type HostPolicy } from './host-check.ts';
import { httpApiEvent } from './lambda-events.ts';
import { invoke, LambdaTimeoutError, loadHandler, type LambdaHandler } from './lambda-runtime.ts';

/**
 * The HTTP API half of the local API Gateway: builds payload v2.0 events from real requests, routes
 * them by the manifest to the same handler modules Lambda runs, and maps results back. Also serves
 * the twin's own endpoints (/local/health, /local/token) and media from the bucket (/media/...),
 * which CloudFront does in AWS.
 */
export interface LocalEndpoint {
  (request: http.IncomingMessage, body: Buffer): Promise<{ status: number; body: unknown; headers?: Record<string, string> }>;
}

interface CompiledRoute {
  route: HttpRoute;
  pattern: RegExp;
  params: string[];
  staticSegments: number;
  handler: LambdaHandler;
}

/** API Gateway's limits: a 10 MB request, and Lambda's 6 MB synchronous invocation payload (both ways). */
const MAX_REQUEST_BYTES = 10 * 1024 * 1024;
const MAX_EVENT_BYTES = 6 * 1024 * 1024;
const MAX_RESPONSE_BYTES = 6 * 1024 * 1024;
/** HTTP APIs give up on an integration after 30 s. */
const INTEGRATION_TIMEOUT_SECONDS = 30;

function compile(route: HttpRoute, handler: LambdaHandler): CompiledRoute {
  return { route, ...routePattern(route.path), handler };
}

function headersOf(request: http.IncomingMessage): { headers: Record<string, string>; cookies: string[] } {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i]!.toLowerCase();
    const value = request.rawHeaders[i + 1]!;
    if (name === 'cookie') cookies.push(...value.split(';').map((c) => c.trim()).filter(Boolean));
    else headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  return { headers, cookies };
}

/** Where a request goes: a manifest route with its path parameters, or the `$default` fallback. */
interface Target {
  id: string;
  handler: LambdaHandler;
  /** The route key's path (`$default` for the fallback, which API Gateway gives no path parameters). */
  routePath: string;
  params: Record<string, string>;
  timeoutSeconds: number;
}

function buildEvent(request: http.IncomingMessage, url: URL, body: Buffer, target: Target): APIGatewayProxyEventV2 {
  const { headers, cookies } = headersOf(request);
  headers['x-forwarded-proto'] ??= 'http';
  headers['x-forwarded-for'] ??= request.socket.remoteAddress ?? '127.0.0.1';
  return httpApiEvent({
    method: request.method!,
    routePath: target.routePath,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    cookies,
    pathParameters: target.params,
    body,
    sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
    protocol: `HTTP/${request.httpVersion}`,
  });
}

function send(response: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(text);
}

/** A percent-decoded path segment, or undefined when its encoding is malformed (`%ZZ`, a bare `%`). */
function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

async function readBody(request: http.IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) return 'too-large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export interface HttpGatewayOptions {
  port: number;
  host?: string;
  /** Which Host headers are answered (everything else: 421). */
  hosts: HostPolicy;
  localEndpoints: Record<string, LocalEndpoint>;
  media: { s3: S3Client; bucket: string };
}

export interface HttpGateway {
  url: string;
  port: number;
  close(): Promise<void>;
}

async function serveMedia(response: http.ServerResponse, s3: S3Client, bucket: string, key: string, method: string) {
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    response.writeHead(200, {
      'content-type': object.ContentType ?? 'application/octet-stream',
      'content-length': String(object.ContentLength ?? ''),
      'cache-control': object.CacheControl ?? 'public, max-age=31536000, immutable',
      etag: object.ETag ?? '',
      // The media distribution's response headers policy (lib/media.ts), minus HSTS (plain HTTP here).
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'content-security-policy': "default-src 'none'; sandbox",
    });
    if (method === 'HEAD') {
      response.end();
      return;
    }
    response.end(Buffer.from(await object.Body!.transformToByteArray()));
  } catch {
    send(response, 404, '<Error><Code>NoSuchKey</Code></Error>', { 'content-type': 'application/xml' });
  }
}

export async function startHttpGateway(options: HttpGatewayOptions): Promise<HttpGateway> {
  const compiled: CompiledRoute[] = [];
  for (const route of httpRoutes) compiled.push(compile(route, await loadHandler(route.entry)));
  // API Gateway prefers the most specific route: more literal segments first.
  compiled.sort((a, b) => b.staticSegments - a.staticSegments);
  const fallback: Target = { id: httpFallback.id, handler: await loadHandler(httpFallback.entry), routePath: '$default', params: {}, timeoutSeconds: DEFAULT_TIMEOUT_SECONDS };

  const server = http.createServer(async (request, response) => {
    try {
      if (!options.hosts.allows(request.headers.host)) {
        send(response, MISDIRECTED.status, MISDIRECTED.body);
        return;
      }
      const url = new URL(request.url ?? '/', `http://${request.headers.host ?? 'localhost'}`);
      const method = request.method ?? 'GET';
      if (url.pathname.startsWith('/media/') && (method === 'GET' || method === 'HEAD')) {
        const segments = url.pathname.slice('/media/'.length).split('/').map(decodeSegment);
        if (segments.some((segment) => segment === undefined)) {
          send(response, 400, { message: 'Bad Request' });
          return;
        }
        const key = segments.join('/');
        await serveMedia(response, options.media.s3, options.media.bucket, key, method);
        return;
      }
      const body = await readBody(request, MAX_REQUEST_BYTES);
      if (body === 'too-large') {
        send(response, 413, { message: 'Request Entity Too Large' });
        return;
      }
      const local = options.localEndpoints[`${method} ${url.pathname.replace(/\/$/, '')}`];
      if (local) {
        const result = await local(request, body);
        send(response, result.status, result.body, result.headers);
        return;
      }
      let match: Target | undefined;
      for (const candidate of compiled) {
        if (!candidate.route.methods.includes(method as HttpRoute['methods'][number])) continue;
        const found = candidate.pattern.exec(url.pathname);
        if (!found) continue;
        const params: Record<string, string | undefined> = {};
        candidate.params.forEach((name, i) => (params[name] = decodeSegment(found[i + 1]!)));
        // A client's malformed percent-encoding is its mistake: a 400, never an integration error.
        if (Object.values(params).some((value) => value === undefined)) {
          send(response, 400, { message: 'Bad Request' });
          return;
        }
        const { route } = candidate;
        match = { id: route.id, handler: candidate.handler, routePath: route.path, params: params as Record<string, string>, timeoutSeconds: route.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS };
        break;
      }
      match ??= fallback;
      const event = buildEvent(request, url, body, match);
      if (Buffer.byteLength(JSON.stringify(event)) > MAX_EVENT_BYTES) {
        send(response, 413, { message: 'Request Entity Too Large' });
        return;
      }
      const timeout = Math.min(match.timeoutSeconds, INTEGRATION_TIMEOUT_SECONDS);
      const result = (await invoke(match.handler, event, match.id, timeout)) as {
        statusCode?: number;
        headers?: Record<string, string>;
        body?: string;
        isBase64Encoded?: boolean;
      };
      // Lambda refuses to return more than 6 MB; API Gateway then answers a bare 500.
      if (Buffer.byteLength(JSON.stringify(result ?? null)) > MAX_RESPONSE_BYTES) {
        console.error(`[gateway] ${match.id}: response payload over 6 MB`);
        send(response, 500, { message: 'Internal Server Error' });
        return;
      }
      const status = result?.statusCode ?? 200;
      const payload = result?.body === undefined ? undefined : result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body;
      response.writeHead(status, result?.headers ?? {});
      response.end(payload);
    } catch (error) {
      if (error instanceof LambdaTimeoutError) send(response, 503, { message: 'Service Unavailable' });
      else {
        console.error('[gateway] integration failed', error);
        send(response, 500, { message: 'Internal Server Error' });
      }
    }
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host === '0.0.0.0' ? '127.0.0.1' : (options.host ?? '127.0.0.1')}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
