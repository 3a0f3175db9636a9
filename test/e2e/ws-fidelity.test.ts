import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionKeys } from '../../lambdas/core/keys.ts';
import { call, drain, newUser, type TestUser } from '../support/api.ts';
import { startOwnTwin, type OwnTwin } from '../support/twin-process.ts';
import { WsClient } from '../support/ws.ts';

/**
 * The twin where clients get hurt in production (local/ws-gateway.ts): API Gateway's 2-hour cap
 * (20 s here), `$disconnect` delivered on a best-effort basis (here: never), and `@connections`
 * throttled (here: 20 calls a second, answered 429 LimitExceededException above it). A twin of its
 * own (these faults would hurt every other test), so it runs alongside the others, not exclusively.
 */
const CAP_MS = 20_000;
const RATE = 20;
const WATCHERS = 60;

let own: OwnTwin;
let capped: { client: WsClient; closed: Promise<{ code: number; after: number }> };
/** When the youngest connection of the file was made. */
let lastConnectAt = 0;

const health = async () => (await call('GET', `${own.info.httpUrl}/local/health`)).body as { faults: { connections_throttled: number; disconnects_dropped: number } };
const feedMembers = async () => {
  const { Items } = await own.table.send(
    new QueryCommand({ TableName: own.info.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': connectionKeys.groupPartition('ventroom_feed') }, ConsistentRead: true }),
  );
  return Items?.length ?? 0;
};
const createPost = async (user: TestUser, title: string) => {
  const created = await call('POST', `${own.info.httpUrl}/api/ventroom/posts/`, { user, json: { title, content: 'fidelity' } });
  expect(created.status).toBe(201);
  return created.body as { id: number };
};

beforeAll(async () => {
  own = await startOwnTwin({
    VENTROOM_WS_MAX_DURATION_MS: String(CAP_MS),
    VENTROOM_WS_DISCONNECT_DROP_RATE: '1',
    VENTROOM_CONNECTIONS_RATE: String(RATE),
  });
  // Connected first, so it reaches the cap while the throttling test runs.
  const user = await newUser({ on: own.info });
  const connectingAt = Date.now();
  const client = await WsClient.connect(user, { wsUrl: own.info.wsUrl });
  const closed = new Promise<{ code: number; after: number }>((resolve) => client.socket.once('close', (code) => resolve({ code, after: Date.now() - connectingAt })));
  await client.request({ type: 'join_ventroom' }, 'ventroom_joined');
  capped = { client, closed };
});
afterAll(async () => {
  await own?.stop();
});

describe('the twin: API Gateway\'s limits and faults', () => {
  it(`@connections throttled at ${RATE}/s: a new post still reaches each of ${WATCHERS} feed watchers exactly once`, async () => {
    const watchers = await Promise.all(
      Array.from({ length: WATCHERS }, async () => {
        const watcher = await WsClient.connect(await newUser({ on: own.info }), { wsUrl: own.info.wsUrl });
        await watcher.request({ type: 'join_ventroom' }, 'ventroom_joined');
        lastConnectAt = Math.max(lastConnectAt, Date.now());
        return watcher;
      }),
    );
    const before = (await health()).faults.connections_throttled;
    const post = await createPost(await newUser({ on: own.info }), 'to every watcher');
    const isPost = (m: { data?: { id?: number } }) => m.data?.id === post.id;
    await Promise.all(watchers.map((watcher) => watcher.next('new_ventroom_post', isPost, 30_000)));
    await drain(own.info);
    // Throttled calls were retried (by the SDK, then as a chunk job of just the failed connections): none twice.
    expect(watchers.map((watcher) => watcher.count('new_ventroom_post', isPost))).toEqual(watchers.map(() => 1));
    expect((await health()).faults.connections_throttled).toBeGreaterThan(before);
    await Promise.all(watchers.map((watcher) => watcher.close()));
  });

  it('closes a connection at the cap (1001); with its $disconnect lost, the first delivery\'s 410 removes it', async () => {
    const { code, after } = await capped.closed;
    expect(code).toBe(1001);
    expect(after).toBeGreaterThanOrEqual(CAP_MS);
    expect(after).toBeLessThan(CAP_MS + 5_000);
    await drain(own.info);
    // Every watcher of the test before closed too, and none of their $disconnects ran.
    expect((await health()).faults.disconnects_dropped).toBeGreaterThanOrEqual(WATCHERS + 1);
    expect(await feedMembers()).toBeGreaterThanOrEqual(WATCHERS + 1);
    // A connection is only forgotten on 410 once older than the grace for a $connect still running (10 s).
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, lastConnectAt + 10_500 - Date.now())));
    await createPost(await newUser({ on: own.info }), 'to nobody');
    await drain(own.info);
    await expect.poll(feedMembers, { timeout: 20_000 }).toBe(0);
  });
});
