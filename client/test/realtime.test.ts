import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, drain, newUser, type TestUser } from '../../test/support/api.ts';
import { checkServerFrame, pendingViolations } from '../../test/support/contract.ts';
import { removeDataDir, startOwnTwin, type OwnTwin } from '../../test/support/twin-process.ts';
import { RealtimeClient, ThrottledError, VentRoomClient, type ResyncGroup } from '../src/index.ts';

/**
 * The realtime client against a twin of its own, with real sockets: API Gateway's 10-minute idle
 * close and 2-hour cap shortened to 3 s and 20 s, every queue message delivered twice (so each
 * event reaches the socket twice with the same id), history cut to 10 events a recovery, then a
 * restart on the same ports and data.
 */
let own: OwnTwin | undefined;
let restarted: OwnTwin | undefined;
const clients: RealtimeClient[] = [];
afterAll(async () => {
  for (const client of clients) client.close();
  await own?.stop();
  await restarted?.stop();
  await removeDataDir(own);
});

const ENV = { VENTROOM_WS_IDLE_TIMEOUT_MS: '3000', VENTROOM_WS_MAX_DURATION_MS: '20000', VENTROOM_DELIVERY_COPIES: '2', WS_HISTORY_MAX_EVENTS: '10' };
let httpUrl = '';
let wsUrl = '';

function realtime(user: TestUser, extra: { onResync?: (group: ResyncGroup) => void; token?: () => Promise<string>; protocol?: 1 | 2 } = {}) {
  const http = new VentRoomClient({ baseUrl: httpUrl, token: user.token });
  const client = new RealtimeClient({
    url: () => wsUrl,
    token: user.token,
    pingIntervalMs: 400,
    backoff: { initialMs: 100, maxMs: 1000 },
    viewBatchMs: 50,
    markAsViewed: (ids) => http.markAsViewed(ids),
    ...extra,
  });
  const frames: any[] = [];
  client.onFrame((frame) => {
    frames.push(frame);
    try {
      checkServerFrame(JSON.stringify(frame));
    } catch (error) {
      pendingViolations.push(error as Error);
    }
  });
  clients.push(client);
  return { client, frames, http };
}

const post = async (user: TestUser, content: string) => (await call('POST', `${httpUrl}/api/ventroom/posts/`, { user, json: { content } })).body as { id: number };

beforeAll(async () => {
  own = await startOwnTwin(ENV, { keepData: true });
  ({ httpUrl, wsUrl } = own.info);
}, 120_000);

describe('RealtimeClient against a twin', () => {
  it('pings inside the idle timeout, drops duplicate deliveries by id, re-joins after the connection cap and recovers (no resync)', async () => {
    const on = own!.info;
    const [reader, author] = await Promise.all([newUser({ on }), newUser({ on })]);
    const resyncs: ResyncGroup[] = [];
    const { client, frames } = realtime(reader, { onResync: (group) => resyncs.push(group) });
    const seen: number[] = [];
    client.on('new_ventroom_post', (event) => seen.push(event.data.id));
    client.connect();
    await client.joinFeed();
    // First, while the cap (20 s: room for a loaded machine) is far: the second copy comes a queue round trip after the first.
    const first = await post(author, 'delivered twice');
    await expect.poll(() => frames.filter((f) => f.type === 'new_ventroom_post' && f.data.id === first.id).length).toBe(2);
    expect(seen.filter((id) => id === first.id)).toHaveLength(1);

    const target = await post(author, 'watched');
    await client.joinPost(target.id);
    // Idle for longer than the idle timeout: the pings keep the first socket.
    await new Promise((resolve) => setTimeout(resolve, 4000));
    expect(client.connections).toBe(1);

    // The cap closes the socket; the client reconnects and joins both groups again from where it stood: nothing to refetch.
    await expect.poll(() => client.connections, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
    await expect.poll(() => frames.filter((f) => f.type === 'ventroom_post_joined' && f.standing?.recovered === true).length).toBeGreaterThanOrEqual(1);
    await expect.poll(() => frames.filter((f) => f.type === 'ventroom_joined' && f.standing?.recovered === true).length).toBeGreaterThanOrEqual(1);
    expect(resyncs).toEqual([]);
    const comment = client.next('new_ventroom_comment', (event) => event.data.text === 'after the cap');
    const afterCap = client.next('new_ventroom_post', (event) => event.data.content === 'after the cap');
    await call('POST', `${httpUrl}/api/ventroom/posts/${target.id}/comments/`, { user: author, json: { text: 'after the cap' } });
    await post(author, 'after the cap');
    await Promise.all([comment, afterCap]);
    client.close();
  });

  it('while offline: a post group\'s missed events are replayed once each; a feed gap past history asks the app to resync', async () => {
    const on = own!.info;
    const [reader, author] = await Promise.all([newUser({ on }), newUser({ on })]);
    const target = await post(author, 'followed');
    let offline: Promise<void> | undefined;
    let backOnline = () => {};
    const resyncs: ResyncGroup[] = [];
    // The reconnect waits for its token: the client stays away while the groups move on.
    const { client } = realtime(reader, { onResync: (group) => resyncs.push(group), token: async () => (await offline, reader.token) });
    const comments: string[] = [];
    client.on('new_ventroom_comment', (event) => comments.push(event.data.text));
    client.connect();
    await client.joinFeed();
    await client.joinPost(target.id);
    offline = new Promise((resolve) => (backOnline = resolve));
    await expect.poll(() => client.state, { timeout: 30_000 }).toBe('reconnecting');

    for (let i = 0; i < 12; i++) await post(author, `missed ${i}`);
    for (const text of ['missed comment 1', 'missed comment 2']) await call('POST', `${httpUrl}/api/ventroom/posts/${target.id}/comments/`, { user: author, json: { text } });
    await drain(on);
    backOnline();

    // Twelve feed events are over the 10 a recovery replays here; the post's two comments (at most four offsets with every delivery doubled) are not.
    await expect.poll(() => resyncs, { timeout: 20_000 }).toEqual([{ kind: 'feed' }]);
    // Sorted: the two comments' broadcast jobs may take their offsets in either order.
    await expect.poll(() => [...comments].sort()).toEqual(['missed comment 1', 'missed comment 2']);
    const live = client.next('new_ventroom_comment', (event) => event.data.text === 'live again');
    await call('POST', `${httpUrl}/api/ventroom/posts/${target.id}/comments/`, { user: author, json: { text: 'live again' } });
    await live;
    expect(comments.slice(0, 2).sort()).toEqual(['missed comment 1', 'missed comment 2']);
    expect(comments.slice(2)).toEqual(['live again']);
    expect(resyncs).toEqual([{ kind: 'feed' }]);
    client.close();
  });

  it('protocol 2: unpacks batch frames into the same events, in order, each once', async () => {
    const on = own!.info;
    const [reader, author] = await Promise.all([newUser({ on }), newUser({ on })]);
    const { client, frames } = realtime(reader, { protocol: 2 });
    const seen: string[] = [];
    client.on('new_ventroom_post', (event) => seen.push(event.data.content));
    client.connect();
    await client.joinFeed();
    const contents = ['packed 1', 'packed 2', 'packed 3'];
    for (const content of contents) await post(author, content);
    // Each once; sorted, since three posts' broadcast jobs may take their feed offsets in any order.
    await expect.poll(() => seen.filter((content) => contents.includes(content)).sort(), { timeout: 20_000 }).toEqual(contents);
    expect(frames.some((frame) => frame.type === 'batch')).toBe(true);
    expect(frames.some((frame) => frame.type === 'new_ventroom_post')).toBe(false);
    client.close();
  });

  it('keeps views the server throttled (429) and sends them again only after Retry-After', async () => {
    const on = own!.info;
    const reader = await newUser({ on });
    const http = new VentRoomClient({ baseUrl: httpUrl, token: reader.token });
    const calls: number[] = [];
    const client = new RealtimeClient({
      url: () => wsUrl,
      token: reader.token,
      viewBatchMs: 20,
      markAsViewed: async (ids) => {
        calls.push(Date.now());
        if (calls.length === 1) throw new ThrottledError({ detail: 'Request was throttled.' }, 'throttled', 1);
        return http.markAsViewed(ids);
      },
    });
    clients.push(client);
    client.connect();
    await expect.poll(() => client.state).toBe('open');
    client.trackView(987_654_321);
    await expect.poll(() => client.queuedViews(), { timeout: 5_000 }).toEqual([]);
    expect(calls).toHaveLength(2);
    expect(calls[1]! - calls[0]!).toBeGreaterThanOrEqual(950);
    client.close();
  });

  it('survives a twin restart: backs off, reconnects, re-joins, and sends the views tracked while offline', async () => {
    const on = own!.info;
    const [reader, author] = await Promise.all([newUser({ on }), newUser({ on })]);
    const { client, http } = realtime(reader);
    client.connect();
    await client.joinFeed();
    const target = await post(author, 'view me later');
    await drain(on);

    await own!.stop();
    await expect.poll(() => client.state).toBe('reconnecting');
    client.trackView(target.id);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(client.queuedViews()).toEqual([target.id]);

    restarted = await startOwnTwin({ ...ENV, PORT: String(new URL(on.httpUrl).port), WS_PORT: String(new URL(on.wsUrl).port) }, { dataDir: own!.dataDir });
    await expect.poll(() => client.connections, { timeout: 60_000 }).toBeGreaterThanOrEqual(2);
    await expect.poll(() => client.queuedViews(), { timeout: 10_000 }).toEqual([]);
    await expect.poll(async () => (await http.viewStats(target.id)).has_user_viewed, { timeout: 15_000 }).toBe(true);
    const live = client.next('new_ventroom_post', (event) => event.data.content === 'after the restart', 40_000);
    await post(author, 'after the restart');
    await live;
    client.close();
    // A twin restart starts DynamoDB Local's JVM again: under the full suite (the CDK synth tests run
    // beside it) that alone can take half a minute, so this test gets more than the default 60 s.
  }, 150_000);
});
