import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, drain, newUser, type TestUser } from '../support/api.ts';
import { runCleanupSecondPass } from '../support/queues.ts';
import { seededRandom } from '../support/random.ts';
import { auditTable } from '../support/table-audit.ts';
import { startOwnTwin, type OwnTwin } from '../support/twin-process.ts';
import { WsClient } from '../support/ws.ts';

/**
 * Races under at-least-once delivery: 50 clients at once create, read (views), list, edit and delete
 * on the same few posts while the twin hands EVERY queue message to its worker three times
 * (VENTROOM_DELIVERY_COPIES=3; real SQS may deliver any message more than once). Afterwards every
 * counter equals a recount of the items, straight from the table, and every view the clients were
 * shown was counted exactly once.
 */
const COPIES = 3;
const CLIENTS = 50;
/** Operations per client; a long run (npm run test:hard) raises it. */
const OPS = Number(process.env.RACE_OPS ?? 12);

let own: OwnTwin;
beforeAll(async () => {
  own = await startOwnTwin({ VENTROOM_DELIVERY_COPIES: String(COPIES) });
});
afterAll(async () => {
  await own?.stop();
});

type Op = 'viewShared' | 'viewAny' | 'list' | 'create' | 'update' | 'delete';

describe(`races: ${CLIENTS} concurrent clients, every queue message delivered ${COPIES} times`, () => {
  it('leaves every counter equal to a recount of the items and counts each shown post once per viewer', async () => {
    const random = seededRandom();
    const on = own.info;
    const api = (method: string, path: string, user: TestUser, json?: unknown) => call(method, `${on.httpUrl}${path}`, { user, json });
    const owners = [await newUser({ on }), await newUser({ on })];
    const shared: number[] = [];
    for (let i = 0; i < 4; i++) {
      const created = await api('POST', '/api/ventroom/posts/', owners[i % 2]!, { title: `shared ${i}`, content: 'race target' });
      expect(created.status).toBe(201);
      shared.push(created.body.id);
    }
    const watcherUser = await newUser({ on });
    const watcher = await WsClient.connect(watcherUser, { wsUrl: on.wsUrl });
    await watcher.request({ type: 'join_ventroom' }, 'ventroom_joined');
    for (const id of shared) await watcher.request({ type: 'join_ventroom_post', data: { post_id: id } }, 'ventroom_post_joined');

    const seen = new Map<number, Set<string>>();
    const saw = (postId: number, userId: string) => {
      if (!seen.has(postId)) seen.set(postId, new Set());
      seen.get(postId)!.add(userId);
    };
    const created = new Map<number, string>();
    const deleted = new Set<number>();
    const statuses: Record<string, number> = {};
    let requests = 0;
    const clients = await Promise.all(Array.from({ length: CLIENTS }, () => newUser({ on })));
    const weights: Record<Op, number> = { viewShared: 30, viewAny: 10, list: 15, create: 20, update: 15, delete: 10 };

    await Promise.all(
      clients.map(async (user) => {
        const mine: number[] = [];
        for (let step = 0; step < OPS; step++) {
          const op = random.weighted(weights);
          requests += 1;
          if (op === 'viewShared' || op === 'viewAny') {
            const pool = op === 'viewShared' ? shared : [...shared, ...created.keys()];
            const postId = random.pick(pool);
            const response = await api('GET', `/api/ventroom/posts/${postId}/`, user);
            statuses[`GET post ${response.status}`] = (statuses[`GET post ${response.status}`] ?? 0) + 1;
            expect([200, 404]).toContain(response.status);
            if (response.status === 200) saw(postId, user.id);
          } else if (op === 'list') {
            const response = await api('GET', `/api/ventroom/posts/?page_size=${1 + random.int(30)}`, user);
            expect(response.status).toBe(200);
            for (const post of response.body.results) saw(post.id, user.id);
          } else if (op === 'create') {
            const response = await api('POST', '/api/ventroom/posts/', user, { title: `by ${user.id}`, content: `step ${step}` });
            expect(response.status).toBe(201);
            created.set(response.body.id, user.id);
            mine.push(response.body.id);
          } else if (op === 'update') {
            const target = mine.length ? random.pick(mine) : random.pick(shared);
            const response = await api('PATCH', `/api/ventroom/posts/${target}/`, user, { content: `edited at ${step}` });
            // Someone else's post: 403; one of mine deleted meanwhile: 404.
            expect([200, 403, 404]).toContain(response.status);
            statuses[`PATCH ${response.status}`] = (statuses[`PATCH ${response.status}`] ?? 0) + 1;
          } else {
            const target = mine.pop();
            if (target === undefined) continue;
            const response = await api('DELETE', `/api/ventroom/posts/${target}/`, user);
            expect(response.status).toBe(204);
            deleted.add(target);
          }
        }
      }),
    );
    requests += shared.length;
    await drain(on);

    const result = await auditTable(own.table, on.tableName);
    expect(result.problems).toEqual([]);
    expect(result.feedCount).toBe(shared.length + created.size - deleted.size);
    const alive = [...shared, ...created.keys()].filter((id) => !deleted.has(id));
    expect([...result.posts.keys()].sort((a, b) => a - b)).toEqual(alive.sort((a, b) => a - b));
    // Exactly the users who were shown a post were counted as its viewers, each once.
    for (const id of alive) {
      const viewers = result.items
        .filter((item) => item.pk.startsWith('USER#') && item.sk === `P#${String(id).padStart(12, '0')}` && item.viewed_at)
        .map((item) => item.pk.slice('USER#'.length))
        .sort();
      expect(viewers, `viewers of post ${id}`).toEqual([...(seen.get(id) ?? [])].sort());
      expect(result.posts.get(id)!.stored.views).toBe(viewers.length);
    }
    // The API serves the same numbers (a reader who never saw these posts: its own view is counted later).
    const reader = await newUser({ on });
    for (const id of shared) {
      const response = await api('GET', `/api/ventroom/posts/${id}/`, reader);
      expect(response.body.views).toBe(result.posts.get(id)!.stored.views);
      // The watcher's highest view_updated for the post is the final count, whatever the order and duplication of events.
      const counts = watcher.received.filter((m) => m.type === 'ventroom_post_view_updated' && m.data.post_id === id).map((m) => m.data.views);
      expect(Math.max(...counts)).toBe(result.posts.get(id)!.stored.views);
    }
    // Every post created was announced once (one event id), though its event may arrive up to three times.
    let copies = 0;
    for (const id of created.keys()) {
      const events = watcher.received.filter((m) => m.type === 'new_ventroom_post' && m.data.id === id);
      expect(new Set(events.map((m) => m.id)).size, `new_ventroom_post ${id}`).toBe(1);
      copies += events.length;
    }
    expect(copies).toBeGreaterThan(created.size);

    // The cleanup worker's delayed second pass (15 min in AWS) is sent now: deleted posts leave nothing.
    await runCleanupSecondPass(on, deleted);
    await drain(on);
    const after = await auditTable(own.table, on.tableName);
    expect(after.problems).toEqual([]);
    expect(after.leftovers).toEqual([]);
    await watcher.close();
    console.log(
      `races: seed ${random.seed}, ${requests} requests by ${CLIENTS} clients, ${created.size} created, ${deleted.size} deleted, ` +
        `${[...seen.values()].reduce((n, s) => n + s.size, 0)} (viewer, post) pairs, ${copies} new_ventroom_post deliveries for ${created.size} events, ` +
        `${JSON.stringify(statuses)}`,
    );
  });
});
