import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, drain, newUser, type TestUser } from '../support/api.ts';
import { inParallel } from '../support/comments.ts';
import { startOwnTwin, type OwnTwin } from '../support/twin-process.ts';
import { WsClient, type ServerMessage } from '../support/ws.ts';

/**
 * Recovery after reconnect (docs/realtime.md): a client re-joins with the last offset it saw and
 * gets every event it missed, once, in order, before the join's reply says `recovered: true`; or
 * `recovered: false` where history cannot cover the gap. A twin of its own: exact offsets need a
 * group no other test writes to, the 2-hour cap is 10 s here, and the create budget is raised for
 * the 301 comments of the history test.
 */
const CAP_MS = 10_000;
const DISCONNECT_MS = 30_000;

let own: OwnTwin;
let capped: { client: WsClient; closed: Promise<number> };
let cappedFeed: { offset: number; epoch: string };
let busy: { owner: TestUser; target: { id: number } };

type Standing = { group?: string; offset: number; epoch: string; recovered?: boolean };
const url = (path: string) => `${own.info.httpUrl}${path}`;
const connect = async (user: TestUser) => WsClient.connect(user, { wsUrl: own.info.wsUrl });
const created = async (user: TestUser, path: string, json: Record<string, unknown>) => {
  const response = await call('POST', url(path), { user, json });
  expect(response.status, response.text).toBe(201);
  return response.body as { id: number };
};
const standing = (reply: ServerMessage) => (reply as unknown as { standing: Standing }).standing;

/** The frames a client received through `group` (in arrival order) before `reply`. */
function replayed(client: WsClient, group: string, reply: ServerMessage): ServerMessage[] {
  return client.received.slice(0, client.received.indexOf(reply)).filter((m) => (m as { positions?: Record<string, unknown> }).positions?.[group]);
}
const offsetIn = (group: string) => (m: ServerMessage) => (m as unknown as { positions: Record<string, { offset: number }> }).positions[group]!.offset;

/** Every offset after `from` up to `to`, each once, in order, all of one epoch. */
function expectExactReplay(frames: ServerMessage[], group: string, from: Standing, to: Standing) {
  expect(frames.map(offsetIn(group))).toEqual(Array.from({ length: to.offset - from.offset }, (_, i) => from.offset + 1 + i));
  expect(new Set(frames.map((m) => m.id)).size).toBe(frames.length);
  expect(new Set(frames.map((m) => (m as unknown as { positions: Record<string, { epoch: string }> }).positions[group]!.epoch))).toEqual(new Set([to.epoch]));
}

beforeAll(async () => {
  own = await startOwnTwin({ VENTROOM_WS_MAX_DURATION_MS: String(CAP_MS), RATE_LIMITS: 'create=2000,standard=2000' });
  // The busy thread's post reaches the feed: made before any feed standing is taken, so the history
  // test can run alongside the 30 s one (its comments reach only the post's and its owner's groups).
  const owner = await newUser({ on: own.info });
  busy = { owner, target: await created(owner, '/api/ventroom/posts/', { content: 'a busy thread' }) };
  await drain(own.info);
  // Joined first, so the cap closes it while the 30 s test runs.
  const client = await connect(await newUser({ on: own.info }));
  const closed = new Promise<number>((resolve) => client.socket.once('close', (code) => resolve(code)));
  cappedFeed = standing(await client.request({ type: 'join_ventroom' }, 'ventroom_joined'));
  capped = { client, closed };
});
afterAll(async () => {
  await own?.stop();
});

// The 30 s disconnect and the 300-event history run together (neither writes the other's groups);
// the cap's test runs after both, so its feed replay ends with its own post.
describe('recovery after reconnect', () => {
  it.concurrent(`after a ${DISCONNECT_MS / 1000} s disconnect: the feed, a post's group and the user's own group send every missed event once, in order`, async () => {
    const [reader, author] = await Promise.all([newUser({ on: own.info }), newUser({ on: own.info })]);
    const mine = await created(reader, '/api/ventroom/posts/', { content: 'the reader\'s own post' });
    const watched = await created(author, '/api/ventroom/posts/', { content: 'watched' });
    await drain(own.info);

    const before = await connect(reader);
    const feed = standing(await before.request({ type: 'join_ventroom' }, 'ventroom_joined'));
    const post = standing(await before.request({ type: 'join_ventroom_post', data: { post_id: watched.id } }, 'ventroom_post_joined'));
    const user = standing(await before.request({ type: 'recover_user' }, 'user_recovered'));
    expect(feed).toMatchObject({ group: 'ventroom_feed', offset: expect.any(Number), epoch: expect.any(String) });
    expect(feed.offset).toBeGreaterThanOrEqual(2);
    expect(feed.recovered).toBeUndefined();
    expect(user.group).toBe(`user_${reader.id}`);
    await before.close();
    const closedAt = Date.now();

    // While the reader is away: the feed, the watched post and the reader's own group all move.
    const doomed = await created(author, '/api/ventroom/posts/', { content: 'soon deleted' });
    await created(author, `/api/ventroom/posts/${watched.id}/comments/`, { text: 'first comment' });
    await new Promise((resolve) => setTimeout(resolve, DISCONNECT_MS / 3));
    expect((await call('PATCH', url(`/api/ventroom/posts/${watched.id}/`), { user: author, json: { title: 'edited' } })).status).toBe(200);
    await created(author, `/api/ventroom/posts/${mine.id}/comments/`, { text: 'on your post' });
    await new Promise((resolve) => setTimeout(resolve, DISCONNECT_MS / 3));
    await created(author, '/api/ventroom/reactions/', { content_type: 'ventpost', object_id: mine.id, reaction_type: '❤️' });
    expect((await call('DELETE', url(`/api/ventroom/posts/${doomed.id}/`), { user: author })).status).toBe(204);
    await drain(own.info); // So the last post's offset is after the deletion's (fan-outs of one moment race for offsets).
    await created(author, '/api/ventroom/posts/', { content: 'last one' });
    await drain(own.info);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, closedAt + DISCONNECT_MS - Date.now())));

    const after = await connect(reader);
    const feedReply = await after.request({ type: 'join_ventroom', data: { offset: feed.offset, epoch: feed.epoch } }, 'ventroom_joined');
    const postReply = await after.request({ type: 'join_ventroom_post', data: { post_id: watched.id, offset: post.offset, epoch: post.epoch } }, 'ventroom_post_joined');
    const userReply = await after.request({ type: 'recover_user', data: { offset: user.offset, epoch: user.epoch } }, 'user_recovered');
    for (const reply of [feedReply, postReply, userReply]) expect(standing(reply).recovered).toBe(true);

    const feedFrames = replayed(after, 'ventroom_feed', feedReply);
    expectExactReplay(feedFrames, 'ventroom_feed', feed, standing(feedReply));
    expect(feedFrames.map((m) => m.type)).toEqual(['new_ventroom_post', 'ventroom_post_updated', 'ventroom_post_deleted', 'new_ventroom_post']);
    const postFrames = replayed(after, `vent_post_${watched.id}`, postReply).filter((m) => after.received.indexOf(m) > after.received.indexOf(feedReply));
    expectExactReplay(postFrames, `vent_post_${watched.id}`, post, standing(postReply));
    expect(postFrames.map((m) => m.type)).toEqual(['new_ventroom_comment', 'ventroom_post_updated']);
    const userFrames = replayed(after, `user_${reader.id}`, userReply).filter((m) => after.received.indexOf(m) > after.received.indexOf(postReply));
    expectExactReplay(userFrames, `user_${reader.id}`, user, standing(userReply));
    expect(userFrames.map((m) => m.type)).toEqual(['new_comment_on_user_post', 'new_reaction_on_user_post']);

    // Live again, from the next offset on.
    const next = await created(author, '/api/ventroom/posts/', { content: 'live' });
    const live = await after.next('new_ventroom_post', (m) => m.data.id === next.id, 20_000);
    expect(offsetIn('ventroom_feed')(live)).toBe(standing(feedReply).offset + 1);
    await after.close();
  }, 180_000);

  it.concurrent('history covers 300 events per recovery; one more, another epoch or an offset ahead is recovered: false (refetch)', async () => {
    const { owner, target } = busy;
    const group = `vent_post_${target.id}`;
    const authors = await Promise.all(Array.from({ length: 6 }, () => newUser({ on: own.info })));
    await inParallel(Array.from({ length: 300 }, (_, i) => () => created(authors[i % authors.length]!, `/api/ventroom/posts/${target.id}/comments/`, { text: `comment ${i}` })), 8);
    await drain(own.info);

    const full = await connect(owner);
    const fullReply = await full.request({ type: 'join_ventroom_post', data: { post_id: target.id, offset: 0, epoch: '' } }, 'ventroom_post_joined');
    expect(standing(fullReply)).toMatchObject({ group, offset: 300, recovered: true });
    const frames = replayed(full, group, fullReply);
    expectExactReplay(frames, group, { offset: 0, epoch: '' }, standing(fullReply));
    expect(new Set(frames.map((m) => m.data.text)).size).toBe(300);
    await full.close();

    await created(authors[0]!, `/api/ventroom/posts/${target.id}/comments/`, { text: 'one too many' });
    await drain(own.info);
    const late = await connect(owner);
    const { epoch } = standing(fullReply);
    const cases: [Standing, string][] = [
      [{ offset: 0, epoch: '' }, '301 missed'],
      [{ offset: 100, epoch: 'another' }, 'another epoch'],
      [{ offset: 302, epoch }, 'ahead of the group'],
    ];
    for (const [since, why] of cases) {
      const reply = await late.request({ type: 'join_ventroom_post', data: { post_id: target.id, ...since } }, 'ventroom_post_joined');
      expect(standing(reply), why).toEqual({ group, offset: 301, epoch, recovered: false });
    }
    expect(replayed(late, group, late.received.at(-1)!)).toEqual([]);
    const bad = await late.request({ type: 'join_ventroom', data: { offset: -1, epoch } }, 'error');
    expect(bad.data.message).toMatch(/data\.offset/);
    await late.close();
  }, 180_000);

  it('after the connection cap closed the socket: the re-joined connection gets what came since, then recovered: true', async () => {
    expect(await capped.closed).toBe(1001);
    const author = await newUser({ on: own.info });
    const since = await created(author, '/api/ventroom/posts/', { content: 'after the cap' });
    await drain(own.info);
    const again = await connect(await newUser({ on: own.info }));
    const reply = await again.request({ type: 'join_ventroom', data: { offset: cappedFeed.offset, epoch: cappedFeed.epoch } }, 'ventroom_joined');
    expect(standing(reply).recovered).toBe(true);
    const frames = replayed(again, 'ventroom_feed', reply);
    expectExactReplay(frames, 'ventroom_feed', cappedFeed, standing(reply));
    // Everything since the cap's join (the other test's events too), ending with this one.
    expect(frames.at(-1)?.data.id).toBe(since.id);
    await again.close();
  });

});
