import WebSocket from 'ws';
import type { Twin } from '../../local/twin.ts';
import type { ScaleProfile } from '../scale-model.ts';

/**
 * A small real population living a slice of the profile's day against the twin: HTTP requests
 * through the local gateway, WebSocket sessions through the local WebSocket gateway (real sockets,
 * the real $connect/join/leave/ping routes, broadcasts delivered by the real fan-out worker), the
 * views and other workers behind the twin's queues. Every operation's count is the profile's rate
 * times the sample's DAU-days, rounded at random (seeded) per user; `executed` says how many ran.
 */
/** Contract clients, or clients that connect with `?protocol=2` (batched frames, docs/realtime.md). */
export type ClientKind = 'contract' | 'protocol2';

export interface PopulationOptions {
  users: number;
  /** The fraction of a day each user lives (the sample's DAU-days are users x dayFraction). */
  dayFraction: number;
  livePosts: number;
  /** WebSocket sessions running at once. */
  concurrency: number;
  seed: number;
  clientKind: ClientKind;
  /** Called once the live posts exist and before the population starts: where recording begins. */
  onStart?: () => void;
  /** Keeps a second population's users apart from the first's. */
  namePrefix?: string;
}

export interface PopulationRun {
  /** Operation -> how many ran (HTTP operations by profile name, WS messages by route key). */
  executed: Record<string, number>;
  expected: Record<string, number>;
  livePostIds: number[];
  /** Every post the run created, deleted ones included. */
  allPostIds: number[];
  /** Mean number of sockets open while the sample ran (sessions overlap `concurrency` at a time). */
  meanConnected: number;
  wsSent: { messages: number; units: number };
  wsReceived: { messages: number; units: number; events: number };
  seconds: number;
}

/** mulberry32: a small seeded generator, so every run drives the same population. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Zipf ranks over n items (rank 0 the most popular). */
function zipf(n: number, exponent: number, rand: () => number): () => number {
  const weights = Array.from({ length: n }, (_, rank) => 1 / (rank + 1) ** exponent);
  const total = weights.reduce((a, b) => a + b, 0);
  const cdf: number[] = [];
  let run = 0;
  for (const w of weights) cdf.push((run += w / total));
  return () => {
    const x = rand();
    const index = cdf.findIndex((c) => c >= x);
    return index < 0 ? n - 1 : index;
  };
}

const PNG_1x1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const REACTIONS = ['👍', '❤️', '😂', '😢'];

interface User {
  id: string;
  token: string;
}

type Op =
  | 'feed_page'
  | 'feed_page_beyond_first'
  | 'post_detail'
  | 'with_comments'
  | 'comments_page'
  | 'trending'
  | 'view_stats'
  | 'mark_as_viewed_call'
  | 'reaction_set_or_change'
  | 'reaction_delete'
  | 'comment_create'
  | 'reply_create'
  | 'comment_edit'
  | 'comment_delete'
  | 'post_create'
  | 'post_edit'
  | 'post_delete'
  | 'join_ventroom_post'
  | 'ping';

const HTTP_OPS: Op[] = [
  'feed_page',
  'feed_page_beyond_first',
  'post_detail',
  'with_comments',
  'comments_page',
  'trending',
  'view_stats',
  'mark_as_viewed_call',
  'reaction_set_or_change',
  'reaction_delete',
  'comment_create',
  'reply_create',
  'comment_edit',
  'comment_delete',
  'post_create',
  'post_edit',
  'post_delete',
];

/** Per DAU per day, from the profile (WebSocket: joins of posts and pings while connected). */
export function profileRates(profile: ScaleProfile): Record<string, number> {
  return {
    ...profile.http,
    join_ventroom_post: profile.websocket.join_ventroom_post,
    ping: (profile.sessions * profile.minutes_connected_per_session * 60) / profile.websocket.ping_every_seconds,
    sessions: profile.sessions,
  };
}

export async function runPopulation(twin: Twin, profile: ScaleProfile, options: PopulationOptions, log: (line: string) => void): Promise<PopulationRun> {
  const rand = random(options.seed);
  const http = async (user: User, method: string, path: string, body?: unknown, form?: FormData): Promise<{ status: number; body: any }> => {
    const headers: Record<string, string> = { authorization: `Bearer ${user.token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${twin.httpUrl}${path}`, { method, headers, body: form ?? (body === undefined ? undefined : JSON.stringify(body)) });
    const text = await response.text();
    if (response.status >= 500 || response.status === 429) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
  const mint = async (name: string): Promise<User> => {
    const { token, user } = (await twin.issuer.mint({ display_name: name, user_id: `scale-${options.namePrefix ?? ''}${name}` })) as { token: string; user: { id: string } };
    return { id: user.id, token };
  };

  // The posts of the last 48 hours, by a few authors (before recording starts).
  const authors = await Promise.all([0, 1, 2, 3].map((n) => mint(`author-${n}`)));
  const postAuthor = new Map<number, User>();
  const livePostIds: number[] = [];
  for (let index = 0; index < options.livePosts; index++) {
    const author = authors[index % authors.length]!;
    const created = await http(author, 'POST', '/api/ventroom/posts/', { title: `Seed post ${index}`, content: `What is on my mind today, part ${index}. `.repeat(1 + (index % 12)) });
    livePostIds.unshift(created.body.id);
    postAuthor.set(created.body.id, author);
  }
  await twin.drain(60_000);
  const users = await Promise.all(Array.from({ length: options.users }, (_, n) => mint(`user-${n}`)));
  const allPostIds = [...livePostIds];

  const rates = profileRates(profile);
  const expected: Record<string, number> = {};
  const plans: { user: User; sessions: Op[][] }[] = [];
  const total: Record<string, number> = {};
  const draw = (rate: number) => {
    const mean = rate * options.dayFraction;
    return Math.floor(mean) + (rand() < mean - Math.floor(mean) ? 1 : 0);
  };
  for (const user of users) {
    const sessionCount = Math.max(1, draw(rates.sessions!));
    const sessions: Op[][] = Array.from({ length: sessionCount }, () => []);
    for (const op of [...HTTP_OPS, 'join_ventroom_post', 'ping'] as Op[]) {
      const n = draw(rates[op] ?? 0);
      total[op] = (total[op] ?? 0) + n;
      for (let k = 0; k < n; k++) sessions[Math.floor(rand() * sessionCount)]!.push(op);
    }
    plans.push({ user, sessions });
  }
  // Rare operations still run at least once, so their costs are recorded (weighted back to the profile).
  for (const op of [...HTTP_OPS, 'join_ventroom_post', 'ping'] as Op[]) {
    expected[op] = (rates[op] ?? 0) * options.users * options.dayFraction;
    if ((rates[op] ?? 0) > 0 && !total[op]) plans[Math.floor(rand() * plans.length)]!.sessions[0]!.push(op);
  }
  expected.sessions = rates.sessions! * options.users * options.dayFraction;

  const executed: Record<string, number> = {};
  const count = (op: string) => (executed[op] = (executed[op] ?? 0) + 1);
  const popular = () => livePostIds[pick()]!;
  let pick = zipf(livePostIds.length, profile.popularity.zipf_exponent, rand);
  const commentsOf = new Map<number, { id: number; user: User }[]>();
  const reacted = new Map<string, number[]>();
  const wsSent = { messages: 0, units: 0 };
  const wsReceived = { messages: 0, units: 0, events: 0 };
  const unit = (bytes: number) => Math.max(1, Math.ceil(bytes / 32768));
  let connected = 0;
  let connectedArea = 0;
  let lastChange = performance.now();
  const started = performance.now();
  const setConnected = (delta: number) => {
    const now = performance.now();
    connectedArea += connected * (now - lastChange);
    lastChange = now;
    connected += delta;
  };

  async function session(user: User, ops: Op[]): Promise<void> {
    const socket = new WebSocket(`${twin.wsUrl}/?token=${encodeURIComponent(user.token)}${options.clientKind === 'protocol2' ? '&protocol=2' : ''}`);
    const replies: ((message: { type: string }) => boolean)[] = [];
    socket.on('message', (data: Buffer) => {
      wsReceived.messages += 1;
      wsReceived.units += unit(data.length);
      const message = JSON.parse(data.toString()) as { type: string };
      const waiter = replies.findIndex((test) => test(message));
      if (waiter >= 0) replies.splice(waiter, 1);
      else wsReceived.events += 1;
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    count('connect');
    setConnected(1);
    const request = (message: { type: string; data?: unknown }, reply: string | null) =>
      new Promise<void>((resolve, reject) => {
        if (reply === null) {
          const text = JSON.stringify(message);
          wsSent.messages += 1;
          wsSent.units += unit(Buffer.byteLength(text));
          socket.send(text);
          count(message.type);
          resolve();
          return;
        }
        const timer = setTimeout(() => reject(new Error(`no ${reply} for ${message.type}`)), 20_000);
        replies.push((answer) => {
          if (answer.type !== reply && answer.type !== 'error') return false;
          clearTimeout(timer);
          resolve();
          return true;
        });
        const text = JSON.stringify(message);
        wsSent.messages += 1;
        wsSent.units += unit(Buffer.byteLength(text));
        socket.send(text);
        count(message.type);
      });
    await request({ type: 'join_ventroom' }, 'ventroom_joined');
    let lastNext: string | null = null;
    // Reading starts with the feed; the rest of the session in random order.
    const ordered = [...ops.filter((op) => op === 'feed_page').slice(0, 1), ...ops.filter((op, i) => !(op === 'feed_page' && i === ops.indexOf('feed_page'))).sort(() => rand() - 0.5)];
    for (const op of ordered) {
      if (op === 'join_ventroom_post') {
        const postId = popular();
        await request({ type: 'join_ventroom_post', data: { post_id: postId } }, 'ventroom_post_joined');
        await request({ type: 'leave_ventroom_post', data: { post_id: postId } }, null);
        continue;
      }
      if (op === 'ping') {
        await request({ type: 'ping' }, 'pong');
        continue;
      }
      count(op);
      await httpOp(user, op, (next) => (lastNext = next ?? lastNext), () => lastNext);
    }
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.close();
    });
    setConnected(-1);
  }

  async function httpOp(user: User, op: Op, saveNext: (next: string | null) => void, next: () => string | null): Promise<void> {
    switch (op) {
      case 'feed_page': {
        const page = await http(user, 'GET', '/api/ventroom/posts/');
        saveNext(page.body.next);
        return;
      }
      case 'feed_page_beyond_first': {
        const link = next() ?? (await http(user, 'GET', '/api/ventroom/posts/')).body.next;
        if (!link) return;
        const url = new URL(link);
        const page = await http(user, 'GET', `${url.pathname}${url.search}`);
        saveNext(page.body.next);
        return;
      }
      case 'post_detail':
        await http(user, 'GET', `/api/ventroom/posts/${popular()}/`);
        return;
      case 'with_comments':
        await http(user, 'GET', `/api/ventroom/posts/${popular()}/with_comments/`);
        return;
      case 'comments_page':
        await http(user, 'GET', `/api/ventroom/posts/${popular()}/comments/`);
        return;
      case 'trending':
        await http(user, 'GET', '/api/ventroom/posts/trending/');
        return;
      case 'view_stats':
        await http(user, 'GET', `/api/ventroom/posts/${popular()}/view_stats/`);
        return;
      case 'mark_as_viewed_call': {
        const start = Math.floor(rand() * Math.max(1, livePostIds.length - profile.http.mark_as_viewed_ids_per_call));
        await http(user, 'POST', '/api/ventroom/posts/mark_as_viewed/', { post_ids: livePostIds.slice(start, start + profile.http.mark_as_viewed_ids_per_call) });
        return;
      }
      case 'reaction_set_or_change': {
        const postId = popular();
        await http(user, 'POST', '/api/ventroom/reactions/', { content_type: 'ventpost', object_id: postId, reaction_type: REACTIONS[Math.floor(rand() * 4)] });
        reacted.set(user.id, [...(reacted.get(user.id) ?? []), postId]);
        return;
      }
      case 'reaction_delete': {
        const postId = reacted.get(user.id)?.pop() ?? popular();
        await http(user, 'DELETE', '/api/ventroom/reactions/', { content_type: 'ventpost', object_id: postId });
        return;
      }
      case 'comment_create':
      case 'reply_create': {
        const postId = popular();
        const parent = op === 'reply_create' ? commentsOf.get(postId)?.[0]?.id : undefined;
        const created = await http(user, 'POST', `/api/ventroom/posts/${postId}/comments/`, { text: `A comment of about a sentence or two, from ${user.id}.`, ...(parent ? { parent } : {}) });
        if (created.status === 201) commentsOf.set(postId, [...(commentsOf.get(postId) ?? []), { id: created.body.id, user }]);
        return;
      }
      case 'comment_edit':
      case 'comment_delete': {
        let target: { postId: number; id: number; user: User } | undefined;
        for (const [postId, list] of commentsOf) {
          const own = list.find((c) => c.user.id === user.id) ?? list[0];
          if (own) target = { postId, ...own };
          if (own?.user.id === user.id) break;
        }
        if (!target) {
          const postId = popular();
          const created = await http(user, 'POST', `/api/ventroom/posts/${postId}/comments/`, { text: 'A comment to change.' });
          target = { postId, id: created.body.id, user };
        }
        const path = `/api/ventroom/posts/${target.postId}/comments/${target.id}/`;
        if (op === 'comment_edit') await http(target.user, 'PATCH', path, { text: 'An edited comment.' });
        else {
          await http(target.user, 'DELETE', path);
          commentsOf.set(target.postId, (commentsOf.get(target.postId) ?? []).filter((c) => c.id !== target!.id));
        }
        return;
      }
      case 'post_create': {
        const withMedia = rand() < profile.http.post_create_with_media_fraction;
        let created;
        if (withMedia) {
          const form = new FormData();
          form.append('title', 'A picture');
          form.append('content', 'Look at this.');
          form.append('media_type', 'image');
          form.append('media', new Blob([new Uint8Array(PNG_1x1)], { type: 'image/png' }), 'p.png');
          created = await http(user, 'POST', '/api/ventroom/posts/', undefined, form);
        } else {
          created = await http(user, 'POST', '/api/ventroom/posts/', { title: 'Something new', content: 'A new post from the sample population. '.repeat(6) });
        }
        livePostIds.unshift(created.body.id);
        allPostIds.push(created.body.id);
        postAuthor.set(created.body.id, user);
        pick = zipf(livePostIds.length, profile.popularity.zipf_exponent, rand);
        return;
      }
      case 'post_edit':
      case 'post_delete': {
        const postId = livePostIds[livePostIds.length - 1]!;
        const author = postAuthor.get(postId)!;
        if (op === 'post_edit') await http(author, 'PATCH', `/api/ventroom/posts/${postId}/`, { content: 'Edited.' });
        else {
          await http(author, 'DELETE', `/api/ventroom/posts/${postId}/`);
          livePostIds.pop();
          pick = zipf(livePostIds.length, profile.popularity.zipf_exponent, rand);
        }
        return;
      }
      default:
        throw new Error(`unknown operation ${op}`);
    }
  }

  const queue = plans.flatMap((plan) => plan.sessions.map((ops) => ({ user: plan.user, ops })));
  log(`scale: ${users.length} users, ${queue.length} sessions, ${options.concurrency} at a time`);
  let done = 0;
  options.onStart?.();
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (queue.length > 0) {
        const next = queue.shift()!;
        await session(next.user, next.ops);
        done += 1;
        if (done % 100 === 0) log(`scale: ${done} sessions done`);
      }
    }),
  );
  setConnected(0);
  await twin.drain(120_000);
  const seconds = (performance.now() - started) / 1000;
  executed.sessions = executed.connect ?? 0;
  return { executed, expected, livePostIds, allPostIds, meanConnected: connectedArea / (performance.now() - started), wsSent, wsReceived, seconds };
}
