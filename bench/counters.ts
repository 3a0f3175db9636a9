import pLimit from 'p-limit';
import WebSocket from 'ws';
import { counterConfig, FEED_POSTS_PER_FLUSH, POST_WINDOW_MS } from '../lambdas/core/counter-config.ts';
import { feedChanges } from '../lambdas/repositories/counters.ts';
import { viewTotals } from '../lambdas/repositories/posts.ts';
import { percentile } from './support/stats.ts';
import type { Table } from './support/table.ts';
import type { BenchTwin, BenchUser } from './support/twin.ts';

/**
 * View counters under a fixed view load, through the real pipeline (HTTP mark_as_viewed -> views
 * queue -> views worker -> coalesced counters -> broadcast queue -> fan-out -> @connections ->
 * sockets held in this process): N idle feed watchers and a few post-screen watchers (each in one
 * post's group) while READERS readers each mark POSTS posts viewed, spread over LOAD_SECONDS.
 *
 * Reported per audience, over the load (first mark_as_viewed to the last view counted, as issue 12
 * measured it): counter messages per counted view, per watcher per second (mean, and max in any one
 * second), @connections calls per second for counters (all sockets together), and staleness:
 * sampled every SAMPLE_MS, how long the count a watcher holds has been behind the stored count (0
 * when it is current), p50 and p99. After the load: how long until every post screen holds its
 * final count, and how many changed posts the feed still has to cover (2 a window).
 * Each size runs twice: contract clients (one frame per counter) and protocol-2 clients
 * (`?protocol=2`: counts arrive in batch frames; a frame is one message however many counts it holds).
 */
// Issue 12's measured load: 100 readers opening 40 posts, 2,000 first views in 29 s.
const POSTS = 40;
const READERS = 100;
const LOAD_SECONDS = 29;
const POST_WATCHERS = 20;
const SAMPLE_MS = 250;
/** Feed watchers whose held counts are sampled (all of them are counted). */
const SAMPLED_FEED_WATCHERS = 50;
const CONNECT_CONCURRENCY = 50;

interface Watcher {
  socket: WebSocket;
  /** post id -> latest count received */
  held: Map<number, number>;
  /** arrival times (ms since the run started) of counter messages */
  arrivals: number[];
}

export interface CounterRow {
  protocol: 1 | 2;
  watchers: number;
  audience: 'feed' | 'post screen';
  countedViews: number;
  messages: number;
  perView: number;
  perWatcherMean: number;
  perWatcherMax: number;
  callsPerSecondMean: number;
  callsPerSecondMax: number;
  staleP50Ms: number;
  staleP99Ms: number;
  /** Post screens: after the load, until each held its post's final count (ms; Infinity if not within the wait). */
  settleMs?: number;
  /** Feed: changed posts not yet sent to the feed when the load ended, and the time the feed takes to cover them. */
  feedBacklog?: { posts: number; seconds: number };
}

export interface CounterResult {
  rows: CounterRow[];
  cappedAt?: number;
}

async function connect(url: string, join: object[], run: { started: number }): Promise<Watcher> {
  const socket = new WebSocket(url, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
    socket.once('unexpected-response', (_request, response) => reject(new Error(`upgrade refused: ${response.statusCode}`)));
  });
  const watcher: Watcher = { socket, held: new Map(), arrivals: [] };
  let pendingJoins = join.length;
  const joined = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('join not confirmed within 30 s')), 30_000);
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as { type: string; data: { post_id?: number; views?: number; events?: { type: string; data: { post_id: number; views: number } }[] } };
      if (message.type === 'batch') {
        // Protocol 2: one message, however many counts it carries (latest last).
        const counts = (message.data.events ?? []).filter((event) => event.type === 'ventroom_post_view_updated');
        if (counts.length) watcher.arrivals.push(performance.now() - run.started);
        for (const { data: count } of counts) watcher.held.set(count.post_id, count.views);
      } else if (message.type === 'ventroom_joined' || message.type === 'ventroom_post_joined') {
        pendingJoins -= 1;
        if (pendingJoins === 0) {
          clearTimeout(timer);
          resolve();
        }
      } else if (message.type === 'ventroom_post_view_updated') {
        watcher.arrivals.push(performance.now() - run.started);
        const { post_id: postId, views } = message.data;
        // Latest received, as a client shows it (a lower count after a higher one would show here as staleness).
        watcher.held.set(postId!, views!);
      }
    });
  });
  for (const message of join) socket.send(JSON.stringify(message));
  await joined;
  return watcher;
}

function perSecond(arrivals: number[], seconds: number): number[] {
  const buckets = new Array<number>(Math.max(1, Math.ceil(seconds))).fill(0);
  for (const at of arrivals) {
    const bucket = Math.floor(at / 1000);
    if (bucket >= 0 && bucket < buckets.length) buckets[bucket]! += 1;
  }
  return buckets;
}

async function http(twin: BenchTwin, user: BenchUser, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(`${twin.info.httpUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: await response.json().catch(() => undefined) };
}

async function measureSize(twin: BenchTwin, size: number, protocol: 1 | 2, users: BenchUser[], log: (line: string) => void): Promise<CounterRow[]> {
  const author = await twin.newUser('Counter author');
  const posts: number[] = [];
  for (let i = 0; i < POSTS; i++) {
    const created = await http(twin, author, 'POST', '/api/ventroom/posts/', { title: `Counters ${size} #${i}`, content: 'Counted' });
    if (created.status !== 201) throw new Error(`create failed: ${created.status}`);
    posts.push(created.json.id as number);
  }
  await twin.drain();
  const run = { started: performance.now() };
  const url = (user: BenchUser) => `${twin.info.wsUrl}/?token=${encodeURIComponent(user.token)}${protocol === 2 ? '&protocol=2' : ''}`;
  log(`counters: connecting ${size} feed watchers and ${POST_WATCHERS} post-screen watchers (protocol ${protocol})`);
  const limit = pLimit(CONNECT_CONCURRENCY);
  const feed = await Promise.all(Array.from({ length: size }, (_, i) => limit(() => connect(url(users[i % users.length]!), [{ type: 'join_ventroom' }], run))));
  const screens = await Promise.all(
    Array.from({ length: POST_WATCHERS }, (_, i) => limit(() => connect(url(users[(size + i) % users.length]!), [{ type: 'join_ventroom_post', data: { post_id: posts[i % POSTS] } }], run))),
  );
  for (const watcher of [...feed, ...screens]) {
    watcher.arrivals.length = 0;
    watcher.held.clear();
  }
  const readers: BenchUser[] = [];
  for (let i = 0; i < READERS; i++) readers.push(await twin.newUser(`Counter reader ${size}-${i}`));

  // The stored counts over time, for staleness: [ms since start, count] per post.
  run.started = performance.now();
  const history = new Map<number, [number, number][]>(posts.map((id) => [id, [[0, 0]]]));
  const samples: { feed: number[]; screen: number[] } = { feed: [], screen: [] };
  const sampledFeed = feed.slice(0, SAMPLED_FEED_WATCHERS);
  const staleness = (watcher: Watcher, postId: number, now: number): number => {
    const held = watcher.held.get(postId) ?? 0;
    const first = history.get(postId)!.find(([, count]) => count > held);
    return first ? now - first[0] : 0;
  };
  let loading = true;
  const sampler = (async () => {
    while (loading) {
      const now = performance.now() - run.started;
      const totals = await viewTotals(posts, true);
      for (const [postId, count] of totals) {
        const list = history.get(postId)!;
        if (list.at(-1)![1] !== count) list.push([now, count]);
      }
      for (const watcher of sampledFeed) for (const postId of posts) samples.feed.push(staleness(watcher, postId, now));
      screens.forEach((watcher, i) => samples.screen.push(staleness(watcher, posts[i % POSTS]!, now)));
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
    }
  })();

  log(`counters: ${READERS} readers mark ${POSTS} posts viewed over ${LOAD_SECONDS} s`);
  await Promise.all(
    readers.map(async (reader, i) => {
      await new Promise((resolve) => setTimeout(resolve, (i * LOAD_SECONDS * 1000) / READERS));
      const marked = await http(twin, reader, 'POST', '/api/ventroom/posts/mark_as_viewed/', { post_ids: posts });
      if (marked.status !== 200) throw new Error(`mark_as_viewed failed: ${marked.status}`);
    }),
  );
  await twin.drain();
  const loadMs = performance.now() - run.started;
  loading = false;
  await sampler;

  const loadSeconds = loadMs / 1000;
  const backlog = (await feedChanges()).size;
  const feedBacklog = { posts: backlog, seconds: Math.ceil(backlog / FEED_POSTS_PER_FLUSH) * counterConfig.FEED_COUNTER_WINDOW_SECONDS };
  // Post screens: until each holds its post's final count.
  const finals = await viewTotals(posts, true);
  const begun = performance.now();
  let screenSettle = Number.POSITIVE_INFINITY;
  while (performance.now() - begun < 10_000) {
    if (screens.every((watcher, i) => watcher.held.get(posts[i % POSTS]!) === finals.get(posts[i % POSTS]!))) {
      screenSettle = performance.now() - begun;
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const counted = [...finals.values()].reduce((a, b) => a + b, 0);

  const row = (audience: CounterRow['audience'], watchers: Watcher[], stale: number[]): CounterRow => {
    const during = (watcher: Watcher) => watcher.arrivals.filter((at) => at <= loadMs);
    const all = watchers.flatMap(during);
    return {
      protocol,
      watchers: watchers.length,
      audience,
      countedViews: counted,
      messages: all.length,
      perView: all.length / counted,
      perWatcherMean: all.length / watchers.length / loadSeconds,
      perWatcherMax: Math.max(...watchers.map((watcher) => Math.max(...perSecond(during(watcher), loadSeconds)))),
      callsPerSecondMean: all.length / loadSeconds,
      callsPerSecondMax: Math.max(...perSecond(all, loadSeconds)),
      staleP50Ms: percentile(stale, 50),
      staleP99Ms: percentile(stale, 99),
    };
  };
  log(`counters: ${size} watchers, ${counted} views counted in ${(loadMs / 1000).toFixed(1)} s`);
  const rows = [{ ...row('feed', feed, samples.feed), feedBacklog }, { ...row('post screen', screens, samples.screen), settleMs: screenSettle }];
  await Promise.all([...feed, ...screens].map((watcher) => new Promise<void>((resolve) => {
    watcher.socket.once('close', () => resolve());
    watcher.socket.terminate();
  })));
  // Their $disconnects, before the next size's posts are created beside them.
  await twin.drain();
  return rows;
}

export async function measureCounters(twin: BenchTwin, sizes: number[], maxSockets: number, log: (line: string) => void): Promise<CounterResult> {
  const wanted = sizes.filter((n) => n + POST_WATCHERS <= maxSockets);
  const cappedAt = wanted.length < sizes.length ? maxSockets : undefined;
  const users: BenchUser[] = [];
  for (let i = 0; i < 50; i++) users.push(await twin.newUser(`Counter watcher ${i}`));
  const rows: CounterRow[] = [];
  for (const size of wanted) for (const protocol of [1, 2] as const) rows.push(...(await measureSize(twin, size, protocol, users, log)));
  return { rows, cappedAt };
}

const fixed = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : '-');
const seconds = (valueMs: number) => (Number.isFinite(valueMs) ? `${(valueMs / 1000).toFixed(1)} s` : 'not within the wait');

export function counterTables(result: CounterResult): Table[] {
  return [
    {
      title: `View counters under load: ${READERS} readers x ${POSTS} posts over ${LOAD_SECONDS} s, idle feed watchers + ${POST_WATCHERS} post screens (contract clients and protocol 2)`,
      columns: ['protocol', 'feed watchers', 'audience', 'counted views', 'messages', 'per counted view', 'per watcher/s mean', 'per watcher/s max', '@connections/s mean', '@connections/s max', 'stale p50', 'stale p99', 'after the load'],
      rows: result.rows.map((row, i) => [
        row.protocol === 2 ? '2 (batched)' : '1 (contract)',
        String(row.audience === 'feed' ? row.watchers : result.rows[i - 1]?.watchers ?? '-'),
        row.audience === 'feed' ? 'feed' : `post screens (${row.watchers})`,
        String(row.countedViews),
        String(row.messages),
        fixed(row.perView, 3),
        fixed(row.perWatcherMean, 3),
        String(row.perWatcherMax),
        fixed(row.callsPerSecondMean, 1),
        String(row.callsPerSecondMax),
        `${Math.round(row.staleP50Ms)} ms`,
        `${Math.round(row.staleP99Ms)} ms`,
        row.audience === 'feed'
          ? row.protocol === 1 && row.feedBacklog
            ? `${row.feedBacklog.posts} posts left: ${row.feedBacklog.seconds} s more`
            : 'the next feed digest (<= 30 s)'
          : `all final in ${seconds(row.settleMs ?? Number.NaN)}`,
      ]),
      notes: [
        `Windows: a post's group hears its count at most once per ${POST_WINDOW_MS} ms (the flush at the window's start, a trailing one a second later); the feed at most ${FEED_POSTS_PER_FLUSH} posts' counts per ${counterConfig.FEED_COUNTER_WINDOW_SECONDS} s, newest first (lambdas/core/counters.ts, docs/realtime.md).`,
        'Over the load (first mark_as_viewed to the last view counted): per counted view = counter messages the audience received / views counted; per watcher/s max = most in any one second for any one watcher; @connections/s = all counter deliveries of the audience.',
        `stale: sampled every ${SAMPLE_MS} ms while the load ran (${SAMPLED_FEED_WATCHERS} feed watchers x ${POSTS} posts; each post screen on its post): how long the held count had been below the stored one (0 = current).`,
        'after the load: post screens, from the last counted view until each held its final count; feed, the changed posts it had still to send and the windows that takes (2 posts a window, newest first).',
        'Targets at 200 watchers (issue 12): <= 1.0 message per counted view for contract clients, <= 0.2 for protocol 2, post screens <= 1 s stale, feed watchers <= 0.2 messages/s on average and <= 2 in any second.',
        'Protocol 2: a message is a batch frame that carried counts (the feed\'s at most every 30 s, a post screen\'s at most every second; docs/realtime.md).',
        'Before coalescing (issue 12), 200 idle feed watchers got 26.6 messages per counted view (0.13 x watchers).',
        ...(result.cappedAt ? [`Larger audiences skipped: the open-file limit allows about ${result.cappedAt} sockets.`] : []),
      ],
    },
  ];
}
