import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { hostnameOf, hostPolicy } from '../../local/host-check.ts';
import { twin } from '../support/api.ts';

/** A raw request with a Host header of our choosing (fetch does not let a caller set Host). */
function requestWithHost(url: string, host: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const request = http.request(url, { method: init.method ?? 'GET', headers: { host, ...init.headers } }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
    request.end(init.body);
  });
}

describe('DNS rebinding guard (hardening item 11)', () => {
  it('a request naming another host gets 421 and no token; loopback names are answered', async () => {
    const { httpUrl } = twin();
    const port = new URL(httpUrl).port;
    const mint = { method: 'POST', body: JSON.stringify({ display_name: 'Rebound', is_admin: true }), headers: { 'content-type': 'application/json' } };
    const rebound = await requestWithHost(`${httpUrl}/local/token`, `evil.example:${port}`, mint);
    expect(rebound.status).toBe(421);
    expect(JSON.parse(rebound.body)).toEqual({ detail: 'This server does not answer for that host name.' });
    expect(rebound.body).not.toContain('access');
    expect((await requestWithHost(`${httpUrl}/api/ventroom/posts/`, 'evil.example')).status).toBe(421);
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `app.localhost:${port}`]) {
      expect((await requestWithHost(`${httpUrl}/local/health`, host)).status, host).toBe(200);
    }
  });

  it('a WebSocket upgrade or an @connections call naming another host is refused with 421', async () => {
    const { wsUrl, managementEndpoint } = twin();
    const upgrade = await new Promise<number>((resolve, reject) => {
      const request = http.request(wsUrl.replace(/^ws/, 'http'), {
        headers: { host: 'evil.example', connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' },
      });
      request.on('response', (response) => resolve(response.statusCode ?? 0));
      request.on('upgrade', () => resolve(101));
      request.on('error', reject);
      request.end();
    });
    expect(upgrade).toBe(421);
    const management = await requestWithHost(`${managementEndpoint}/@connections/nobody`, 'evil.example', { method: 'POST', body: '{}' });
    expect(management.status).toBe(421);
  });

  it('the policy: loopback, the bound host, listed names, and IP literals only on a wildcard bind', () => {
    expect(hostnameOf('[::1]:3000')).toBe('::1');
    expect(hostnameOf('LocalHost:3000')).toBe('localhost');
    expect(hostnameOf('::1')).toBe('::1');
    const loopback = hostPolicy('127.0.0.1');
    expect(['localhost', '127.0.0.1:3000', '127.9.9.9', '[::1]:3000', 'x.localhost', undefined].map((h) => loopback.allows(h))).toEqual([true, true, true, true, true, true]);
    expect(['evil.example', '192.168.1.5:3000', 'localhost.evil.example', '[fe80::1]'].map((h) => loopback.allows(h))).toEqual([false, false, false, false]);
    const lan = hostPolicy('0.0.0.0', ['devbox.lan']);
    expect(['192.168.1.5:3000', '[fe80::1]:3000', 'devbox.lan:3000', 'evil.example'].map((h) => lan.allows(h))).toEqual([true, true, true, false]);
    expect(hostPolicy('192.168.1.5').allows('192.168.1.5:3000')).toBe(true);
  });
});
