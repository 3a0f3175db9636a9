import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Sits between the handlers and the gateway's `@connections` API and records every call as it
 * happens: when, the event type it carried and its size in the 32 KB units API Gateway bills
 * WebSocket messages in. Everything is forwarded unchanged, answers included (410 for a gone socket).
 */
export interface ConnectionsCall {
  at: number;
  type: string;
  units: number;
  /** The frame's size in bytes. */
  bytes: number;
  status: number;
}

export interface ConnectionsProxy {
  url: string;
  calls: ConnectionsCall[];
  recording: boolean;
  close(): Promise<void>;
}

export async function startConnectionsProxy(target: string): Promise<ConnectionsProxy> {
  const proxy: ConnectionsProxy = { url: '', calls: [], recording: false, close: async () => undefined };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      const body = Buffer.concat(chunks);
      try {
        const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => !['host', 'connection', 'content-length'].includes(name))) as Record<string, string>;
        const answer = await fetch(`${target}${request.url}`, { method: request.method, headers, body: body.length ? body : undefined });
        const bytes = Buffer.from(await answer.arrayBuffer());
        if (proxy.recording && request.method === 'POST' && request.url?.startsWith('/@connections/')) {
          let type = 'unknown';
          try {
            type = String((JSON.parse(body.toString('utf8')) as { type?: unknown }).type ?? 'unknown');
          } catch {
            // Not JSON: recorded under `unknown`.
          }
          proxy.calls.push({ at: Date.now(), type, units: Math.max(1, Math.ceil(body.length / 32768)), bytes: body.length, status: answer.status });
        }
        response.writeHead(answer.status, Object.fromEntries([...answer.headers].filter(([name]) => !['transfer-encoding', 'content-length', 'content-encoding', 'connection'].includes(name))));
        response.end(bytes);
      } catch (error) {
        response.writeHead(502);
        response.end(String(error));
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}
