import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pLimit from 'p-limit';
import { WebSocketServer, type WebSocket } from 'ws';
import { DEFAULT_TIMEOUT_SECONDS, wsRoutes, type WsRoute } from '../lambdas/manifest.ts';
import { MISDIRECTED, type HostPolicy } from './host-check.ts';
import { invoke, loadHandler, type LambdaHandler } from './lambda-runtime.ts';

/**
 * The WebSocket API half of the local API Gateway: `$connect` (a non-2xx result refuses the
 * upgrade with that status), messages routed on `$request.body.type` with `$default` as fallback,
 * `$disconnect`, and the `@connections` management API that ApiGatewayManagementApiClient calls
 * (POST/GET/DELETE, 410 GoneException for unknown or closed connections), on the same port.
 */
export interface WsGatewayOptions {
  port: number;
  host?: string;
  /** Which Host headers are answered (everything else: 421, upgrade refused). */
  hosts?: HostPolicy;
  /** API Gateway closes a connection idle this long (10 minutes) and any connection after 2 hours. */
  idleTimeoutMs?: number;
  maxDurationMs?: number;
  /**
   * Fault injection: the share of closed connections (0 to 1) whose `$disconnect` never runs. API
   * Gateway delivers `$disconnect` on a best-effort basis, so stale connections are found only by a
   * 410 from `@connections` or by their TTL.
   */
  disconnectDropRate?: number;
  /**
   * Fault injection: `@connections` requests answered per second (all methods, as the account's
   * throttle counts them); above it, 429 LimitExceededException, as API Gateway throttles.
   */
  connectionsRatePerSecond?: number;
  /** Decides which `$disconnect`s are dropped (tests make it deterministic); default Math.random. */
  random?: () => number;
}

export interface WsGateway {
  url: string;
  managementEndpoint: string;
  port: number;
  connectionCount(): number;
  /** Route invocations running or waiting (a `$disconnect` storm included): background work for a drain. */
  busy(): number;
  /** What the fault injection did so far: `@connections` calls answered 429, `$disconnect`s never run. */
  faults(): { throttledCalls: number; droppedDisconnects: number };
  close(): Promise<void>;
}

const MAX_CONCURRENT_DISCONNECTS = 32;

/** At most `perSecond` takes in any one-second window (fixed windows, as a coarse account throttle); no limit when unset. */
function rateWindow(perSecond: number | undefined): { take(): boolean } {
  let windowStart = 0;
  let taken = 0;
  return {
    take() {
      if (!perSecond) return true;
      const now = Date.now();
      if (now - windowStart >= 1000) {
        windowStart = now;
        taken = 0;
      }
      return ++taken <= perSecond;
    },
  };
}

/** API Gateway's largest WebSocket message (128 KB); a bigger frame closes the socket with 1009. */
const MAX_MESSAGE_BYTES = 128 * 1024;

interface Connection {
  id: string;
  socket: WebSocket;
  connectedAt: number;
  lastActiveAt: number;
  sourceIp: string;
  userAgent: string;
  idleTimer?: NodeJS.Timeout;
  maxTimer?: NodeJS.Timeout;
}

interface LoadedRoute {
  route: WsRoute;
  handler: LambdaHandler;
}

/** Ids shaped like API Gateway's (16 characters of base64). */
export function connectionId(): string {
  return randomBytes(11).toString('base64');
}

/** The WebSocket event's requestContext, as API Gateway builds it (exported for the benchmarks' in-process invocations). */
export function requestContext(connection: Pick<Connection, 'id' | 'connectedAt' | 'sourceIp' | 'userAgent'>, routeKey: string, eventType: string, host: string) {
  const now = Date.now();
  return {
    routeKey,
    eventType,
    messageDirection: 'IN',
    extendedRequestId: randomUUID(),
    requestTime: new Date(now).toUTCString(),
    requestTimeEpoch: now,
    stage: 'local',
    connectedAt: connection.connectedAt,
    identity: { sourceIp: connection.sourceIp, userAgent: connection.userAgent },
    requestId: randomUUID(),
    domainName: host,
    connectionId: connection.id,
    apiId: 'local',
  };
}

function multiValue(entries: Iterable<[string, string]>) {
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [name, value] of entries) {
    single[name] = value;
    (multi[name] ??= []).push(value);
  }
  return { single, multi };
}

export async function startWsGateway(options: WsGatewayOptions): Promise<WsGateway> {
  const routes = new Map<string, LoadedRoute>();
  for (const route of wsRoutes) routes.set(route.routeKey, { route, handler: await loadHandler(route.entry) });
  const connections = new Map<string, Connection>();
  const idleTimeoutMs = options.idleTimeoutMs ?? 10 * 60 * 1000;
  const maxDurationMs = options.maxDurationMs ?? 2 * 60 * 60 * 1000;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });

  const throttle = rateWindow(options.connectionsRatePerSecond);
  let throttledCalls = 0;
  let droppedDisconnects = 0;
  // One process stands for many Lambda instances: thousands of sockets closing at once would run
  // thousands of $disconnect handlers against one DynamoDB Local, and time out, where AWS spreads
  // them over instances (and drops what it throttles: delivery is best effort). They wait their turn.
  const disconnects = pLimit(MAX_CONCURRENT_DISCONNECTS);
  const inFlight = new Set<Promise<unknown>>();
  const run = (loaded: LoadedRoute, event: unknown) => {
    const invocation = invoke(loaded.handler, event, loaded.route.id, loaded.route.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) as Promise<
      { statusCode?: number; body?: string } | undefined
    >;
    inFlight.add(invocation);
    void invocation.finally(() => inFlight.delete(invocation)).catch(() => undefined);
    return invocation;
  };

  const touch = (connection: Connection) => {
    connection.lastActiveAt = Date.now();
    clearTimeout(connection.idleTimer);
    connection.idleTimer = setTimeout(() => connection.socket.close(1001, 'Going away'), idleTimeoutMs);
    connection.idleTimer.unref();
  };

  let closing = false;
  const random = options.random ?? Math.random;
  const disconnect = async (connection: Connection, code: number, reason: string, host: string) => {
    if (!connections.delete(connection.id) || closing) return;
    clearTimeout(connection.idleTimer);
    clearTimeout(connection.maxTimer);
    const route = routes.get('$disconnect');
    if (!route) return;
    if (options.disconnectDropRate && random() < options.disconnectDropRate) {
      droppedDisconnects++;
      return;
    }
    const event = {
      headers: {},
      isBase64Encoded: false,
      requestContext: { ...requestContext(connection, '$disconnect', 'DISCONNECT', host), disconnectStatusCode: code, disconnectReason: reason },
    };
    await disconnects(() => run(route, event)).catch((error) => console.error('[ws] $disconnect failed', error));
  };

  const onMessage = async (connection: Connection, data: Buffer, isBinary: boolean, host: string) => {
    touch(connection);
    const body = isBinary ? data.toString('base64') : data.toString('utf8');
    let routeKey = '$default';
    if (!isBinary) {
      try {
        const type = (JSON.parse(body) as { type?: unknown } | null)?.type;
        if (typeof type === 'string' && routes.has(type) && !type.startsWith('$')) routeKey = type;
      } catch {
        // Not JSON: the selection expression cannot be evaluated, so $default handles it.
      }
    }
    const route = routes.get(routeKey);
    if (!route) {
      connection.socket.send(JSON.stringify({ message: 'Forbidden', connectionId: connection.id, requestId: randomUUID() }));
      return;
    }
    const event = {
      body,
      isBase64Encoded: isBinary,
      requestContext: { ...requestContext(connection, routeKey, 'MESSAGE', host), messageId: randomBytes(11).toString('base64') },
    };
    try {
      const result = await run(route, event);
      if (route.route.returnResponse && result?.body && connections.has(connection.id)) connection.socket.send(result.body);
    } catch (error) {
      console.error(`[ws] ${routeKey} failed`, error);
      connection.socket.send(JSON.stringify({ message: 'Internal server error', connectionId: connection.id, requestId: randomUUID() }));
    }
  };

  const management = async (request: http.IncomingMessage, response: http.ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const match = /^\/(?:[^/]+\/)?@connections\/([^/]+)$/.exec(url.pathname);
    const gone = () => {
      response.writeHead(410, { 'content-type': 'application/json', 'x-amzn-errortype': 'GoneException' });
      response.end(JSON.stringify({ message: null }));
    };
    if (!match) {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ message: 'Not Found' }));
      return;
    }
    const connection = connections.get(decodeURIComponent(match[1]!));
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const payload = Buffer.concat(chunks);
    if (!throttle.take()) {
      throttledCalls++;
      response.writeHead(429, { 'content-type': 'application/json', 'x-amzn-errortype': 'LimitExceededException' });
      response.end(JSON.stringify({ message: 'Rate exceeded' }));
      return;
    }
    if (!connection || connection.socket.readyState !== connection.socket.OPEN) return gone();
    if (request.method === 'POST') {
      if (payload.length > MAX_MESSAGE_BYTES) {
        response.writeHead(413, { 'content-type': 'application/json', 'x-amzn-errortype': 'PayloadTooLargeException' });
        response.end(JSON.stringify({ message: 'Message too long' }));
        return;
      }
      connection.socket.send(payload.toString('utf8'));
      response.writeHead(200);
      response.end();
    } else if (request.method === 'GET') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          connectedAt: new Date(connection.connectedAt).toISOString(),
          lastActiveAt: new Date(connection.lastActiveAt).toISOString(),
          identity: { sourceIp: connection.sourceIp, userAgent: connection.userAgent },
        }),
      );
    } else if (request.method === 'DELETE') {
      connection.socket.close(1000, 'Closed by the API');
      response.writeHead(204);
      response.end();
    } else {
      response.writeHead(405);
      response.end();
    }
  };

  const server = http.createServer((request, response) => {
    if (options.hosts && !options.hosts.allows(request.headers.host)) {
      response.writeHead(MISDIRECTED.status, { 'content-type': 'application/json' }).end(JSON.stringify(MISDIRECTED.body));
      return;
    }
    management(request, response).catch((error) => {
      console.error('[ws] management API failed', error);
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });
  server.keepAliveTimeout = 65_000;

  server.on('upgrade', async (request, socket, head) => {
    if (options.hosts && !options.hosts.allows(request.headers.host)) {
      socket.end(`HTTP/1.1 ${MISDIRECTED.status} Misdirected Request\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n${JSON.stringify(MISDIRECTED.body)}`);
      return;
    }
    const host = request.headers.host ?? 'localhost';
    const url = new URL(request.url ?? '/', `http://${host}`);
    const headerEntries: [string, string][] = [];
    for (let i = 0; i < request.rawHeaders.length; i += 2) headerEntries.push([request.rawHeaders[i]!, request.rawHeaders[i + 1]!]);
    const headers = multiValue(headerEntries.map(([n, v]) => [n.toLowerCase(), v]));
    const query = multiValue(url.searchParams);
    const pending = {
      id: connectionId(),
      connectedAt: Date.now(),
      sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
      userAgent: request.headers['user-agent'] ?? '',
    };
    let status = 200;
    let body = '';
    const connect = routes.get('$connect');
    if (connect) {
      try {
        const result = await run(connect, {
          headers: headers.single,
          multiValueHeaders: headers.multi,
          queryStringParameters: Object.keys(query.single).length ? query.single : undefined,
          multiValueQueryStringParameters: Object.keys(query.multi).length ? query.multi : undefined,
          isBase64Encoded: false,
          requestContext: requestContext(pending, '$connect', 'CONNECT', host),
        });
        status = result?.statusCode ?? 200;
        body = result?.body ?? '';
      } catch (error) {
        console.error('[ws] $connect failed', error);
        status = 500;
      }
    }
    if (status < 200 || status > 299) {
      socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      const connection: Connection = { ...pending, socket: ws, lastActiveAt: Date.now() };
      connections.set(connection.id, connection);
      touch(connection);
      connection.maxTimer = setTimeout(() => ws.close(1001, 'Going away'), maxDurationMs);
      connection.maxTimer.unref();
      ws.on('message', (data, isBinary) => void onMessage(connection, data as Buffer, isBinary, host));
      ws.on('close', (code, reason) => void disconnect(connection, code, reason.toString(), host));
      ws.on('error', () => ws.terminate());
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host === '0.0.0.0' || !options.host ? '127.0.0.1' : options.host;
  return {
    url: `ws://${host}:${port}`,
    managementEndpoint: `http://${host}:${port}`,
    port,
    connectionCount: () => connections.size,
    busy: () => inFlight.size + disconnects.pendingCount,
    faults: () => ({ throttledCalls, droppedDisconnects }),
    async close() {
      // Let handlers already running (a $disconnect, a message) finish before the services go away.
      await Promise.allSettled([...inFlight]);
      closing = true;
      for (const connection of connections.values()) connection.socket.terminate();
      await new Promise<void>((resolve) => {
        wss.close(() => resolve());
      });
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
