import { describe, expect, it } from 'vitest';
import { lambdaContext, type LambdaHandler } from '../../local/lambda-runtime.ts';
import { requestContext } from '../../local/ws-gateway.ts';
import { createPost, newUser } from '../support/api.ts';
import { invokeHttp } from '../support/lambda-events.ts';

/**
 * Behind the edge (CloudFront + WAF, lib/edge.ts) the functions get EDGE_ORIGIN_SECRET and
 * PUBLIC_BASE_URL. A request that skipped the distribution (the execute-api URL called directly,
 * around the web ACL's per-IP limits) is refused before any token check or table access; links in
 * answers point at the public URL, never at the execute-api one. Set before the handler modules load,
 * as at a cold start: this file's own process (vitest isolates files).
 */
const SECRET = 'c0ffee00-1234-4abc-8def-0123456789ab';
process.env.EDGE_ORIGIN_SECRET = SECRET;
process.env.PUBLIC_BASE_URL = 'https://api.ventroom.example/';

const listPosts = (await import('../../lambdas/http/posts/list.ts')).handler as LambdaHandler;
const noRoute = (await import('../../lambdas/http/no-route.ts')).handler as LambdaHandler;
const connect = (await import('../../lambdas/ws/connect.ts')).handler as LambdaHandler;

const REFUSED = { detail: 'Use the API through its published URL.' };

describe('requests that skip the edge', () => {
  it('are refused with a 403 before authentication, on routes and on the fallback alike', async () => {
    const user = await newUser();
    for (const headers of [{}, { 'x-ventroom-edge': 'c0ffee00-1234-4abc-8def-0123456789ac' }, { 'x-ventroom-edge': '' }, { 'x-ventroom-edge': `${SECRET}x` }] as Record<string, string>[]) {
      // No token at all: still a 403, not the 401 (nothing past the check ran).
      expect(await invokeHttp(listPosts, { method: 'GET', path: '/api/ventroom/posts/', headers })).toMatchObject({ status: 403, body: REFUSED });
      expect(await invokeHttp(listPosts, { method: 'GET', path: '/api/ventroom/posts/', headers, user })).toMatchObject({ status: 403, body: REFUSED });
      expect(await invokeHttp(noRoute, { method: 'GET', path: '/nothing/here/', headers })).toMatchObject({ status: 403, body: REFUSED });
    }
  });

  it('pass through the edge, and every link names the public URL', async () => {
    const user = await newUser();
    await createPost(user);
    await createPost(user);
    const page = await invokeHttp(listPosts, { method: 'GET', path: '/api/ventroom/posts/', query: 'page_size=1', headers: { 'x-ventroom-edge': SECRET }, user });
    expect(page.status).toBe(200);
    expect(page.body.next).toMatch(/^https:\/\/api\.ventroom\.example\/api\/ventroom\/posts\/\?/);
  });

  it('refuses a WebSocket upgrade that skipped the edge; accepts it through the edge (header names in any case)', async () => {
    const user = await newUser();
    const event = (id: string, headers: Record<string, string>) => ({
      requestContext: { ...requestContext({ id, connectedAt: Date.now(), sourceIp: '127.0.0.1', userAgent: 'test' }, '$connect', 'CONNECT', 'ws.test') },
      headers,
      queryStringParameters: { token: user.token },
      isBase64Encoded: false,
    });
    const refused = (await connect(event('EdgeTestAAAAAA=', {}), lambdaContext('WsConnect', 10))) as { statusCode: number; body: string };
    expect(refused.statusCode).toBe(403);
    expect(JSON.parse(refused.body)).toEqual(REFUSED);
    const accepted = (await connect(event('EdgeTestBBBBBB=', { 'X-Ventroom-Edge': SECRET }), lambdaContext('WsConnect', 10))) as { statusCode: number };
    expect(accepted.statusCode).toBe(200);
  });
});
