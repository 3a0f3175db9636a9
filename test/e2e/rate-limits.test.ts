import { describe, expect, it } from 'vitest';
import { call, newUser } from '../support/api.ts';
import { WsClient } from '../support/ws.ts';

/** Limits count per fixed minute: start well inside a window so a test's burst lands in one. */
async function freshWindow(): Promise<void> {
  const second = new Date().getUTCSeconds();
  if (second > 45) await new Promise((resolve) => setTimeout(resolve, (61 - second) * 1000));
}

describe('rate limits (per user, per minute)', () => {
  it('the 21st create in a minute gets 429 with Retry-After and the DRF message', async () => {
    const user = await newUser();
    await freshWindow();
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await call('POST', '/api/ventroom/posts/', { user, json: { content: `n${i}` } })).status);
    expect(statuses).toEqual(Array(20).fill(201));
    const throttled = await call('POST', '/api/ventroom/posts/', { user, json: { content: 'one too many' } });
    expect(throttled.status).toBe(429);
    expect(throttled.body.detail).toMatch(/^Request was throttled\. Expected available in \d+ seconds\.$/);
    const retryAfter = Number(throttled.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(throttled.body.detail).toContain(`in ${retryAfter} seconds`);
    // Other classes and other users keep their own budgets.
    // (A read of a post that does not exist: it spends a standard request without counting views on other tests' posts.)
    expect((await call('GET', '/api/ventroom/posts/987654321/', { user })).status).toBe(404);
    expect((await call('POST', '/api/ventroom/posts/', { user: await newUser(), json: { content: 'fine' } })).status).toBe(201);
  });

  it('holds under parallel requests: never more than the budget succeeds', async () => {
    const user = await newUser();
    await freshWindow();
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => call('POST', '/api/ventroom/posts/', { user, json: { content: `p${i}` } })));
    const counts = results.reduce<Record<number, number>>((acc, r) => ({ ...acc, [r.status]: (acc[r.status] ?? 0) + 1 }), {});
    expect(counts).toEqual({ 201: 20, 429: 10 });
  });
});

describe('rate limits on WebSocket messages', () => {
  it('joins and leaves share the standard budget (100 a minute per user); the socket stays open', async () => {
    const user = await newUser();
    await freshWindow();
    const socket = await WsClient.connect(user);
    for (let i = 0; i < 100; i++) await socket.request({ type: 'join_ventroom' }, 'ventroom_joined');
    const throttled = await socket.request({ type: 'join_ventroom' }, 'error');
    expect(throttled.data.message).toMatch(/^Request was throttled\. Expected available in \d+ seconds\.$/);
    // Keep-alive is not a table write and is never throttled.
    expect((await socket.request({ type: 'ping' }, 'pong')).type).toBe('pong');
    await socket.close();
  }, 120_000);
});
