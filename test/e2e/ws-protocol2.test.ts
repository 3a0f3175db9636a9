import { afterAll, describe, expect, it } from 'vitest';
import { viewTotals } from '../../lambdas/repositories/posts.ts';
import { call, newUser, type TestUser } from '../support/api.ts';
import { WsClient, WsRejected, type ServerMessage } from '../support/ws.ts';

/**
 * Protocol 2, batched frames (docs/realtime.md), over real sockets: a client that connects with
 * `?protocol=2` gets each group's events in `batch` frames (in order, each once, at most 32 KB, at
 * most one frame per group per interval, the latest counts), a protocol-1 client beside it keeps
 * the spec's one frame per event, and a protocol-2 recovery replays in batch frames too.
 */
const clients: WsClient[] = [];
afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
});
const connect = async (user: TestUser, protocol?: string) => {
  const client = await WsClient.connect(user, { protocol });
  clients.push(client);
  return client;
};
const created = async (user: TestUser, path: string, json: Record<string, unknown>) => {
  const response = await call('POST', path, { user, json });
  expect(response.status, response.text).toBe(201);
  return response.body as { id: number };
};

type Event = ServerMessage & { positions?: Record<string, { offset: number; epoch: string }> };
const batches = (client: WsClient, group: string) => client.received.filter((m) => m.type === 'batch' && m.data.group === group);
const eventsIn = (client: WsClient, group: string) => batches(client, group).flatMap((m) => m.data.events as Event[]);

/**
 * The group's batch frames were built at most one per interval: their server timestamps are an
 * interval apart or more. (Arrival times would also measure the test process's own event loop: a
 * frame read late by a busy test looks closer to the next one.)
 */
function expectPaced(client: WsClient, group: string, intervalMs: number) {
  const built = client.received.filter((m) => m.type === 'batch' && m.data.group === group).map((m) => Date.parse(m.timestamp));
  for (let i = 1; i < built.length; i++) expect(built[i]! - built[i - 1]!, `frames ${i - 1} and ${i}`).toBeGreaterThanOrEqual(intervalMs);
}

describe('protocol 2: batched frames', () => {
  it('refuses a protocol it does not speak', async () => {
    const user = await newUser();
    for (const protocol of ['3', 'two', '']) {
      const refused = await WsClient.connect(user, { protocol }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refused, `protocol=${protocol}`).toBeInstanceOf(WsRejected);
      expect((refused as WsRejected).status).toBe(400);
    }
    clients.push(await connect(user, '1'));
  });

  it('packs the feed\'s events in order, each once, in frames of at most 32 KB, one per interval; protocol 1 beside it is unchanged', async () => {
    const [author, batched, plain] = await Promise.all([newUser(), newUser(), newUser()]);
    const p2 = await connect(batched, '2');
    const p1 = await connect(plain);
    await Promise.all([p2.request({ type: 'join_ventroom' }, 'ventroom_joined'), p1.request({ type: 'join_ventroom' }, 'ventroom_joined')]);

    // Four posts of 9,000 characters cannot share one 32 KB frame: the digest spreads them over several.
    const ids: number[] = [];
    for (let i = 0; i < 10; i++) ids.push((await created(author, '/api/ventroom/posts/', { content: i % 3 === 0 ? `${i} ${'x'.repeat(9000)}` : `batched ${i}` })).id);

    const mine = (events: ServerMessage[]) => events.filter((m) => m.type === 'new_ventroom_post' && ids.includes(m.data.id));
    await expect.poll(() => mine(eventsIn(p2, 'ventroom_feed')).length, { timeout: 20_000 }).toBeGreaterThanOrEqual(ids.length);
    const events = mine(eventsIn(p2, 'ventroom_feed')) as Event[];
    // Each post once. "In order" is the fan-out's order (offsets): two posts' broadcast jobs may be
    // stamped the other way round from how they were made (docs/realtime.md, Recovery).
    expect(events.map((m) => m.data.id).sort((a, b) => a - b)).toEqual(ids);
    const offsets = events.map((m) => m.positions!.ventroom_feed!.offset);
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    expect(new Set(offsets).size).toBe(offsets.length);

    // Nothing came one event a frame, and no frame was over one billed message.
    expect(p2.count('new_ventroom_post')).toBe(0);
    const frameSizes = p2.received.flatMap((m, i) => (m.type === 'batch' ? [p2.frames[i]!.bytes] : []));
    expect(frameSizes.length).toBeGreaterThan(1);
    for (const bytes of frameSizes) expect(bytes).toBeLessThanOrEqual(32 * 1024);
    expectPaced(p2, 'ventroom_feed', 1000);

    await expect.poll(() => mine(p1.received).length).toBe(ids.length);
    expect(p1.count('batch')).toBe(0);
  });

  it("sends a post screen's latest counts at most once a second, never lower, with its events; a recovery replays in batch frames", async () => {
    const [author, watcher, late] = await Promise.all([newUser(), newUser(), newUser()]);
    const post = await created(author, '/api/ventroom/posts/', { content: 'watched in batches' });
    const group = `vent_post_${post.id}`;
    const p2 = await connect(watcher, '2');
    const joined = await p2.request({ type: 'join_ventroom_post', data: { post_id: post.id } }, 'ventroom_post_joined');
    const before = (joined as unknown as { standing: { offset: number; epoch: string } }).standing;

    const viewers = await Promise.all(Array.from({ length: 6 }, () => newUser()));
    for (const viewer of viewers) expect((await call('GET', `/api/ventroom/posts/${post.id}/`, { user: viewer })).status).toBe(200);
    const texts = ['first', 'second', 'third'];
    for (const text of texts) await created(author, `/api/ventroom/posts/${post.id}/comments/`, { text });

    const counts = () => eventsIn(p2, group).filter((m) => m.type === 'ventroom_post_view_updated').map((m) => m.data.views as number);
    // The latest stored count (at least the six views; a loaded twin's retried GET may count more).
    const stored = async () => (await viewTotals([post.id], true)).get(post.id);
    // The views are counted by the views worker after the GETs answered: wait for all six, then for the frame with the stored count.
    await expect
      .poll(
        async () => {
          const count = await stored();
          return count !== undefined && count >= viewers.length && counts().at(-1) === count;
        },
        { timeout: 20_000 },
      )
      .toBe(true);
    expect(counts().at(-1)).toBeGreaterThanOrEqual(viewers.length);
    expect(counts()).toEqual([...counts()].sort((a, b) => a - b));
    // Each comment once (sorted: three comments' broadcast jobs may be stamped in any order).
    const commentTexts = (events: Event[]) => events.filter((m) => m.type === 'new_ventroom_comment').map((m) => m.data.text as string).sort();
    await expect.poll(() => commentTexts(eventsIn(p2, group)), { timeout: 20_000 }).toEqual(texts);
    expect(p2.count('ventroom_post_view_updated')).toBe(0);
    expectPaced(p2, group, 1000);

    // Another protocol-2 client joins from where the first one started: the three comments, replayed in a batch frame before the reply.
    const again = await connect(late, '2');
    const reply = await again.request({ type: 'join_ventroom_post', data: { post_id: post.id, offset: before.offset, epoch: before.epoch } }, 'ventroom_post_joined');
    expect((reply as unknown as { standing: { recovered: boolean } }).standing.recovered).toBe(true);
    const replay = again.received.slice(0, again.received.indexOf(reply));
    expect(replay.every((m) => m.type === 'batch' && m.data.group === group)).toBe(true);
    expect(commentTexts(replay.flatMap((m) => m.data.events as Event[]))).toEqual(texts);
  });
});
