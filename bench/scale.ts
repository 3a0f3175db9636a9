import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { defaultManifest, functionSpecs } from '../lib/manifest.ts';
import { PROJECT_ROOT } from '../lib/project.ts';
import { consumers, httpRoutes, wsRoutes } from '../lambdas/manifest.ts';
import { freePort } from '../local/emulators.ts';
import { observeInvocations, type InvocationRecord } from '../local/lambda-runtime.ts';
import { startTwin } from '../local/twin.ts';
import { defaultProfilePath } from './profiles/profile-path.ts';
import { PRICES } from './cost.ts';
import { counterConfig, FEED_POSTS_PER_FLUSH, feedWindowSeconds } from '../lambdas/core/counter-config.ts';
import { LIMITS, cappedShareSquares, firstLimit, livePosts, peakRate, roundDau, shareSquares, topShare, type Figure, type ScaleProfile } from './scale-model.ts';
import { startConnectionsProxy } from './support/connections-proxy.ts';
import { runPopulation, type ClientKind } from './support/scale-population.ts';
import { dynamoCalls, installScaleRecorder, installSqsSendRecorder, setRecording, sqsSends, type KeyUnits, type RecordedCall } from './support/scale-recorder.ts';
import { renderMarkdown, renderText, type Table } from './support/table.ts';

/**
 * `npm run bench:scale`: the scale model (../shared/scale/README.md). A small real population lives
 * a slice of the profile's day on an in-process twin; every DynamoDB request (table or index,
 * partition key, units), SQS message, @connections call, Lambda invocation and duration is
 * recorded; the recorded per-DAU-day loads are scaled to each target size at the profile's peak
 * and held against the default limits; the cost is priced with bench/cost.ts's list prices.
 * Prints the tables, writes bench/results/scale.json (and scale.md), and ends with the summary line.
 * Options (environment): SCALE_PROFILE (path), SCALE_USERS, SCALE_DAY_FRACTION, SCALE_LIVE_POSTS,
 * SCALE_CONCURRENCY; `--docs` rewrites the scale section of docs/benchmarks.md.
 */
const PROFILE_PATH = process.env.SCALE_PROFILE ?? defaultProfilePath();
const USERS = Number(process.env.SCALE_USERS ?? 200);
const DAY_FRACTION = Number(process.env.SCALE_DAY_FRACTION ?? 0.5);
const LIVE_POSTS = Number(process.env.SCALE_LIVE_POSTS ?? 60);
const CONCURRENCY = Number(process.env.SCALE_CONCURRENCY ?? 12);
const TRENDING_REFRESH_SECONDS = Number(process.env.TRENDING_REFRESH_SECONDS ?? 60);
/** Feed-group events (new, updated and deleted posts) whose frame sizes the recording measures. */
const FEED_EVENT_TYPES = new Set(['new_ventroom_post', 'ventroom_post_updated', 'ventroom_post_deleted']);
/** API Gateway's billed unit and protocol 2's largest frame. */
const FRAME_BYTES = 32_768;

/** The digests' own sizing (lambdas/domain/digest.ts), loaded once the twin's environment exists. */
let digestSizing: { intervalMs: (group: string, audience: number) => number; countsGapMs: (group: string, intervalMs: number) => number } | undefined;

const HTTP_FUNCTIONS = new Set(httpRoutes.map((route) => route.id));
const WS_MESSAGE_FUNCTIONS = new Set(wsRoutes.filter((route) => !route.routeKey.startsWith('$') || route.routeKey === '$default').map((route) => route.id));
const FANOUT = 'BroadcastFanout';

/** Which profile rates a function's invocations stand for (its weight is expected / invoked). */
const FUNCTION_OPS: Record<string, string[]> = {
  ListPosts: ['feed_page', 'feed_page_beyond_first'],
  GetPost: ['post_detail'],
  PostWithComments: ['with_comments'],
  ListComments: ['comments_page'],
  TrendingPosts: ['trending'],
  PostViewStats: ['view_stats'],
  MarkPostsViewed: ['mark_as_viewed_call'],
  CreateReaction: ['reaction_set_or_change'],
  DeleteReaction: ['reaction_delete'],
  CreateComment: ['comment_create', 'reply_create'],
  UpdateComment: ['comment_edit'],
  DeleteComment: ['comment_delete'],
  CreatePost: ['post_create'],
  UpdatePost: ['post_edit'],
  DeletePost: ['post_delete'],
  WsConnect: ['sessions'],
  WsDisconnect: ['sessions'],
  JoinVentroom: ['sessions'],
  JoinVentroomPost: ['join_ventroom_post'],
  LeaveVentroomPost: ['join_ventroom_post'],
  Ping: ['ping'],
};

/**
 * Work done on a clock rather than per request: the trending snapshot's refresh (at most once per
 * TRENDING_REFRESH_SECONDS whatever the traffic): its hourly-index reads, its claim and save, and the
 * counters it reads. Scaled by refreshes per second, its reads by the live posts they cover.
 */
function isClockWork(call: RecordedCall, key: KeyUnits): boolean {
  if (key.table !== 'table' && call.command === 'Query') return true;
  if (key.pk === 'TRENDING' && call.command !== 'GetItem') return true;
  return call.command === 'BatchGetItem' && key.pk === 'FEED' && (call.fn === 'ViewsCounter' || call.fn === 'TrendingPosts');
}

type KeyClass = 'shared' | 'hour' | 'post' | 'user';

/** How a partition key's load grows: shared by everyone, one post's (Zipf), or one user's/connection's. */
function classify(key: KeyUnits): { cls: KeyClass; label: string } {
  if (key.table !== 'table') return { cls: 'hour', label: `${key.table} <hour>` };
  if (/^(POST|CMT)#/.test(key.pk)) return { cls: 'post', label: key.pk.replace(/#\d+/, '#<post>') };
  if (key.pk.startsWith('GROUP#vent_post_')) return { cls: 'post', label: 'GROUP#vent_post_<post>' };
  if (/^(USER|RATE|CONN)#/.test(key.pk) || key.pk.startsWith('GROUP#user_')) return { cls: 'user', label: `${key.pk.split(/#|_(?=scale)/)[0]}#<user>`.replace('GROUP#<user>', 'GROUP#user_<user>') };
  return { cls: 'shared', label: key.pk };
}

interface KeyLoad {
  label: string;
  table: string;
  cls: KeyClass;
  /** Per DAU-day (shared, post: the class's total) or per entity-day (user: the busiest one). */
  rcu: number;
  wcu: number;
  /** Per refresh of the clock work. */
  clockRcu: number;
  clockWcu: number;
  /** The same load by the function that caused it (per DAU-day; clock work apart). */
  byFunction: Record<string, { rcu: number; wcu: number }>;
}

function main(): Promise<void> {
  return run();
}

async function run(): Promise<void> {
  const started = performance.now();
  const log = (line: string) => console.log(`[scale ${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${line}`);
  const profile = JSON.parse(readFileSync(PROFILE_PATH, 'utf8')) as ScaleProfile;
  log(`profile ${profile.name} from ${PROFILE_PATH}`);

  const wsPort = await freePort();
  const proxy = await startConnectionsProxy(`http://127.0.0.1:${wsPort}`);
  const limits = 'standard=1000000,create=1000000,reaction=1000000';
  const twin = await startTwin({ port: 0, wsPort, dataDir: null, env: { WS_MANAGEMENT_ENDPOINT: proxy.url, RATE_LIMITS: limits, POWERTOOLS_LOG_LEVEL: 'ERROR' } });
  const invocations: InvocationRecord[] = [];
  const stopObserving = observeInvocations((record) => {
    if (proxy.recording) invocations.push(record);
  });
  try {
    const { db } = await import('../lambdas/core/db.ts');
    const { sqs } = await import('../lambdas/core/sqs.ts');
    const raw = DynamoDBDocumentClient.from(
      new DynamoDBClient({ region: twin.region, endpoint: twin.endpoints.dynamodb, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
    );
    installScaleRecorder(db, raw, twin.tableName);
    installSqsSendRecorder(sqs);
    const startRecording = (on: boolean) => {
      setRecording(on);
      proxy.recording = on;
    };

    const population = await runPopulation(
      twin,
      profile,
      { users: USERS, dayFraction: DAY_FRACTION, livePosts: LIVE_POSTS, concurrency: CONCURRENCY, seed: 13, clientKind: 'contract', onStart: () => startRecording(true) },
      log,
    );
    startRecording(false);
    // Durations: a quiet pass (one session at a time, recorder off) so that handler times are not
    // those of a dozen sessions sharing this process's one thread (still a local proxy for Lambda).
    log('calibrating durations: a small population, one session at a time, nothing recorded');
    const quiet: InvocationRecord[] = [];
    const stopQuiet = observeInvocations((record) => quiet.push(record));
    await runPopulation(twin, profile, { users: 12, dayFraction: 0.5, livePosts: 10, concurrency: 1, seed: 14, clientKind: 'contract', namePrefix: 'quiet-' }, () => undefined);
    stopQuiet();
    const { viewTotals } = await import('../lambdas/repositories/posts.ts');
    const countedViews = [...(await viewTotals(population.allPostIds)).values()].reduce((a, b) => a + b, 0);
    log(`recorded ${dynamoCalls.length} DynamoDB calls, ${invocations.length} invocations, ${proxy.calls.length} @connections calls, ${countedViews} counted views in ${population.seconds.toFixed(0)} s`);

    const model = buildModel(profile, population, invocations, quiet, proxy.calls, countedViews, 'contract');
    const { digestIntervalMs, countsGapMs } = await import('../lambdas/domain/digest.ts');
    digestSizing = { intervalMs: digestIntervalMs, countsGapMs };

    // The same population again, its clients on protocol 2: the digests' own reads and writes are recorded with it.
    dynamoCalls.length = 0;
    sqsSends.length = 0;
    invocations.length = 0;
    proxy.calls.length = 0;
    const population2 = await runPopulation(
      twin,
      profile,
      { users: USERS, dayFraction: DAY_FRACTION, livePosts: LIVE_POSTS, concurrency: CONCURRENCY, seed: 13, clientKind: 'protocol2', namePrefix: 'p2-', onStart: () => startRecording(true) },
      log,
    );
    startRecording(false);
    const countedViews2 = [...(await viewTotals(population2.allPostIds)).values()].reduce((a, b) => a + b, 0);
    log(`protocol 2: recorded ${dynamoCalls.length} DynamoDB calls, ${invocations.length} invocations, ${proxy.calls.length} @connections calls, ${countedViews2} counted views`);
    const model2 = buildModel(profile, population2, invocations, quiet, proxy.calls, countedViews2, 'protocol2', model.fanout.feedEventBytes);
    const tables = renderTables(profile, model, model2);
    for (const table of tables) console.log(renderText(table));
    const directory = path.join(PROJECT_ROOT, 'bench', 'results');
    mkdirSync(directory, { recursive: true });
    const seconds = Math.round((performance.now() - started) / 1000);
    const summary = summaryLine(model, model2);
    const result = {
      date: new Date().toISOString(),
      cores: os.availableParallelism(),
      seconds,
      profile,
      sample: model.sample,
      targets: model.targets,
      keys: model.keys,
      functions: model.functions,
      protocol2: { sample: model2.sample, targets: model2.targets, keys: model2.keys, functions: model2.functions },
      summary,
      tables,
    };
    writeFileSync(path.join(directory, 'scale.json.tmp'), `${JSON.stringify(result, null, 2)}\n`);
    renameSync(path.join(directory, 'scale.json.tmp'), path.join(directory, 'scale.json'));
    const markdown = [`Run of ${result.date.slice(0, 10)}: ${result.cores} cores, \`npm run bench:scale\` took ${seconds} s.`, '', ...tables.map(renderMarkdown), '```', summary, '```'].join('\n');
    writeFileSync(path.join(directory, 'scale.md'), `${markdown}\n`);
    if (process.argv.includes('--docs')) writeDocs(markdown);
    log(`done in ${seconds} s; bench/results/scale.json and scale.md written`);
    console.log(summary);
  } finally {
    stopObserving();
    await twin.stop();
    await proxy.close();
  }
}

const BEGIN = '<!-- scale:begin (npm run bench:scale -- --docs rewrites this section) -->';
const END = '<!-- scale:end -->';

function writeDocs(markdown: string): void {
  const file = path.join(PROJECT_ROOT, 'docs', 'benchmarks.md');
  const text = readFileSync(file, 'utf8');
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${file} has no ${BEGIN} ... ${END} section`);
  writeFileSync(file, `${text.slice(0, start + BEGIN.length)}\n\n${markdown}\n${text.slice(end)}`);
}

interface FunctionLoad {
  id: string;
  weight: number;
  /** Invocations per DAU-day (weighted) and their mean duration. */
  perDauDay: number;
  meanMs: number;
  memoryMb: number;
  /** SQS receive + delete requests per DAU-day for a consumer's batches. */
  sqsPolls: number;
}

interface EventLoad {
  type: string;
  audiences: string[];
  perDauDay: number;
}

interface Model {
  kind: ClientKind;
  profile: ScaleProfile;
  sample: Record<string, number | string>;
  keys: KeyLoad[];
  functions: FunctionLoad[];
  events: EventLoad[];
  fanout: { msPerCall: number; rcuPerMember: number; postMembers: number; userMembers: number; unitsPerCall: number; feedEventBytes: number };
  perDauDay: { http: number; wsIn: number; wsReplies: number; connects: number; sqsSends: number; rcu: number; wcu: number; clockRcu: number; clockWcu: number };
  refreshes: number;
  meanConnected: number;
  targets: Record<string, unknown>[];
  figures: Figure[];
}

function buildModel(
  profile: ScaleProfile,
  population: Awaited<ReturnType<typeof runPopulation>>,
  invocations: InvocationRecord[],
  quiet: InvocationRecord[],
  connectionCalls: { type: string; units: number; bytes: number }[],
  countedViews: number,
  kind: ClientKind,
  /** Protocol 2's frames carry the contract's events: their size comes from the contract recording. */
  feedEventBytes?: number,
): Model {
  const dauDays = USERS * DAY_FRACTION;
  const invoked = new Map<string, InvocationRecord[]>();
  for (const record of invocations) invoked.set(record.functionName, [...(invoked.get(record.functionName) ?? []), record]);
  const weight = (fn: string): number => {
    if (fn === 'ViewsCounter') return countedViews > 0 ? (profile.counted_views * dauDays) / countedViews : 1;
    const ops = FUNCTION_OPS[fn];
    const count = invoked.get(fn)?.length ?? 0;
    if (!ops || count === 0) return 1;
    return ops.reduce((sum, op) => sum + (population.expected[op] ?? 0), 0) / count;
  };
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  const quietMs = new Map<string, number[]>();
  for (const record of quiet) quietMs.set(record.functionName, [...(quietMs.get(record.functionName) ?? []), record.durationMs]);
  const memory = new Map(functionSpecs(defaultManifest).map((spec) => [spec.id, spec.memoryMb]));
  const functions: FunctionLoad[] = [...invoked].map(([id, records]) => ({
    id,
    weight: weight(id),
    perDauDay: (records.length * weight(id)) / dauDays,
    meanMs: median(quietMs.get(id) ?? records.map((r) => r.durationMs)),
    memoryMb: memory.get(id) ?? 512,
    sqsPolls: consumers.some((c) => c.id === id)
      ? (records.reduce((sum, r) => sum + 2 * Math.ceil(((r.event as { Records?: unknown[] }).Records?.length ?? 0) / 10), 0) * weight(id)) / dauDays
      : 0,
  }));

  // Partition loads, per DAU-day; user-class keys per entity-day (the busiest entity).
  const byKey = new Map<string, KeyLoad>();
  const perEntity = new Map<string, { label: string; table: string; rcu: number; wcu: number }>();
  let refreshes = 0;
  /** Hour partitions a refresh reads (24): each takes its share of the refresh's reads. */
  const clockPartitions = new Map<string, Set<string>>();
  const totals = { rcu: 0, wcu: 0, clockRcu: 0, clockWcu: 0 };
  let groupRcu = 0;
  let groupItems = 0;
  const postGroupSizes: number[] = [];
  const userGroupSizes: number[] = [];
  for (const call of dynamoCalls) {
    if (call.command === 'PutItem' && call.keys[0]?.pk === 'TRENDING' && !call.failed) refreshes += 1;
    if (call.fn === FANOUT) {
      // Fan-out's reads of group partitions: modelled per event from its audience (below).
      for (const key of call.keys) {
        if (key.pk === 'GROUP#ventroom_feed' && call.command === 'Query') {
          groupRcu += key.rcu;
          groupItems += call.items ?? 0;
        } else if (key.pk.startsWith('GROUP#vent_post_') && call.command === 'Query') postGroupSizes.push(call.items ?? 0);
        else if (key.pk.startsWith('GROUP#user_') && call.command === 'Query') userGroupSizes.push(call.items ?? 0);
      }
      continue;
    }
    const w = weight(call.fn);
    for (const key of call.keys) {
      const { cls, label } = classify(key);
      const id = `${key.table}\u0000${label}`;
      const load = byKey.get(id) ?? { label, table: key.table, cls, rcu: 0, wcu: 0, clockRcu: 0, clockWcu: 0, byFunction: {} };
      byKey.set(id, load);
      if (isClockWork(call, key)) {
        if (cls === 'hour') clockPartitions.set(id, new Set([...(clockPartitions.get(id) ?? []), key.pk]));
        load.clockRcu += key.rcu;
        load.clockWcu += key.wcu;
        totals.clockRcu += key.rcu;
        totals.clockWcu += key.wcu;
        continue;
      }
      totals.rcu += (key.rcu * w) / dauDays;
      totals.wcu += (key.wcu * w) / dauDays;
      const part = (load.byFunction[call.fn] ??= { rcu: 0, wcu: 0 });
      part.rcu += (key.rcu * w) / dauDays;
      part.wcu += (key.wcu * w) / dauDays;
      if (cls === 'user') {
        const entity = perEntity.get(`${id}\u0000${key.pk}`) ?? { label, table: key.table, rcu: 0, wcu: 0 };
        perEntity.set(`${id}\u0000${key.pk}`, entity);
        entity.rcu += (key.rcu * w) / DAY_FRACTION;
        entity.wcu += (key.wcu * w) / DAY_FRACTION;
      } else {
        load.rcu += (key.rcu * w) / dauDays;
        load.wcu += (key.wcu * w) / dauDays;
      }
    }
  }
  for (const entity of perEntity.values()) {
    const load = byKey.get(`${entity.table}\u0000${entity.label}`)!;
    load.rcu = Math.max(load.rcu, entity.rcu);
    load.wcu = Math.max(load.wcu, entity.wcu);
  }
  const perRefresh = Math.max(1, refreshes);
  for (const [id, load] of byKey) {
    const partitions = clockPartitions.get(id)?.size ?? 1;
    load.clockRcu /= perRefresh * partitions;
    load.clockWcu /= perRefresh * partitions;
  }
  totals.clockRcu /= perRefresh;
  totals.clockWcu /= perRefresh;

  const events = new Map<string, EventLoad>();
  let sends = 0;
  for (const send of sqsSends) {
    if (send.fn === FANOUT) continue;
    sends += weight(send.fn) / dauDays;
    if (send.queue !== 'broadcast') continue;
    for (const body of send.bodies) {
      const parsed = JSON.parse(body) as { message?: { type: string }; audiences?: string[]; connection_ids?: string[]; counter?: 'post' | 'feed' };
      // A feed counter flush is sized by the budget's window, not by how often views claim it (fanoutRates).
      if (parsed.connection_ids || parsed.counter === 'feed') continue;
      // A post's counter flush is one ventroom_post_view_updated to its group (at most one per post per window).
      const job = parsed.counter === 'post' ? { message: { type: 'ventroom_post_view_updated' }, audiences: ['vent_post_<post>'] } : (parsed as { message: { type: string }; audiences: string[] });
      const audiences = job.audiences.map((g) => (g.startsWith('vent_post_') ? 'vent_post_<post>' : g.startsWith('user_') ? 'user_<user>' : g)).sort();
      const id = `${job.message.type} ${audiences.join('+')}`;
      const load = events.get(id) ?? { type: job.message.type, audiences, perDauDay: 0 };
      events.set(id, load);
      load.perDauDay += weight(send.fn) / dauDays;
    }
  }
  // Fan-out time per delivery, from the quiet pass when it delivered anything.
  const quietFanout = quiet.filter((r) => r.functionName === FANOUT);
  const fanoutMs = median(quietFanout.map((r) => r.durationMs)) * (invoked.get(FANOUT)?.length ?? 0);
  const mean = (values: number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0);
  const fanout = {
    msPerCall: connectionCalls.length ? fanoutMs / connectionCalls.length : 0,
    rcuPerMember: groupItems ? groupRcu / groupItems : 0.5 / 40,
    postMembers: mean(postGroupSizes),
    userMembers: mean(userGroupSizes),
    unitsPerCall: connectionCalls.length ? connectionCalls.reduce((sum, c) => sum + c.units, 0) / connectionCalls.length : 1,
    feedEventBytes: feedEventBytes ?? mean(connectionCalls.filter((c) => FEED_EVENT_TYPES.has(c.type)).map((c) => c.bytes)),
  };
  const fnLoad = (predicate: (id: string) => boolean) => functions.filter((f) => predicate(f.id)).reduce((sum, f) => sum + f.perDauDay, 0);
  const perDauDay = {
    http: fnLoad((id) => HTTP_FUNCTIONS.has(id)),
    wsIn: fnLoad((id) => WS_MESSAGE_FUNCTIONS.has(id)),
    // Route replies (join confirmations, pongs): what clients received that no @connections call sent.
    wsReplies: ((population.wsReceived.messages - population.wsReceived.events) / Math.max(1, population.wsSent.messages)) * fnLoad((id) => WS_MESSAGE_FUNCTIONS.has(id)),
    connects: fnLoad((id) => id === 'WsConnect'),
    sqsSends: sends,
    ...totals,
  };
  const sample = {
    users: USERS,
    dayFraction: DAY_FRACTION,
    dauDays,
    livePosts: LIVE_POSTS,
    meanConnected: Number(population.meanConnected.toFixed(1)),
    seconds: Number(population.seconds.toFixed(0)),
    dynamoCalls: dynamoCalls.length,
    invocations: invocations.length,
    connectionsCalls: connectionCalls.length,
    countedViews,
    viewsWeight: Number(weight('ViewsCounter').toFixed(3)),
    trendingRefreshes: refreshes,
    wsSent: population.wsSent.messages,
    wsReceived: population.wsReceived.messages,
  };
  const model: Model = { kind, profile, sample, keys: [...byKey.values()], functions, events: [...events.values()], fanout, perDauDay, refreshes, meanConnected: population.meanConnected, targets: [], figures: [] };
  model.figures = figuresOf(model, population.meanConnected);
  model.targets = profile.targets_dau.map((dau) => targetFigures(model, dau, population.meanConnected));
  return model;
}

/** A key's RCU and WCU per second at a size (peak), its clock work included. */
function keyRates(model: Model, load: KeyLoad, dau: number): { rcu: number; wcu: number } {
  const { profile } = model;
  const share = load.cls === 'post' ? topShare(livePosts(dau, profile), profile.popularity.zipf_exponent) : 1;
  const clockScale = livePosts(dau, profile) / LIVE_POSTS;
  const clock = { rcu: (load.clockRcu * clockScale) / TRENDING_REFRESH_SECONDS, wcu: load.clockWcu / TRENDING_REFRESH_SECONDS };
  if (load.cls === 'user') return { rcu: (load.rcu * profile.peak_factor) / 86_400, wcu: (load.wcu * profile.peak_factor) / 86_400 };
  return { rcu: peakRate(load.rcu, dau, profile) * share + clock.rcu, wcu: peakRate(load.wcu, dau, profile) * share + clock.wcu };
}

/** Members of a group at a size: the feed holds every connected user; a post's group its share of them. */
function audience(model: Model, group: string, dau: number, meanConnected: number): number {
  const { profile } = model;
  const connected = profile.peak_concurrent_fraction * dau;
  if (group === 'ventroom_feed') return connected;
  if (group === 'vent_post_<post>') {
    const n = livePosts(dau, profile);
    // Events of a post and members of its group both follow its popularity: Σ share² of the connected.
    const perPostSample = model.fanout.postMembers / Math.max(1e-9, meanConnected / LIVE_POSTS);
    return perPostSample * connected * shareSquares(n, profile.popularity.zipf_exponent);
  }
  return model.fanout.userMembers;
}

function fanoutRates(model: Model, dau: number, meanConnected: number) {
  return model.kind === 'protocol2' ? protocol2Rates(model, dau, meanConnected) : contractRates(model, dau, meanConnected);
}

function contractRates(model: Model, dau: number, meanConnected: number) {
  let calls = 0;
  let feedEvents = 0;
  let jobs = 0;
  for (const event of model.events) {
    const rate = peakRate(event.perDauDay, dau, model.profile);
    const members = event.audiences.reduce((sum, group) => sum + audience(model, group, dau, meanConnected), 0);
    calls += rate * members;
    jobs += rate * (1 + (members > 1000 ? Math.ceil(members / 1000) : 0));
    if (event.audiences.includes('ventroom_feed')) feedEvents += rate;
  }
  const feedMembers = audience(model, 'ventroom_feed', dau, meanConnected);
  // The feed's coalesced counters: FEED_POSTS_PER_FLUSH counts per watcher per window, the window widened to the budget.
  const window = feedWindowSeconds(feedMembers);
  calls += (FEED_POSTS_PER_FLUSH * feedMembers) / window;
  feedEvents += 1 / window;
  jobs += (1 + (feedMembers > 1000 ? Math.ceil(feedMembers / 1000) : 0)) / window;
  return {
    calls,
    jobs,
    feedGroupRcu: feedEvents * Math.max(0.5, feedMembers * model.fanout.rcuPerMember),
    concurrency: (calls * model.fanout.msPerCall) / 1000,
    feedCounterCalls: (FEED_POSTS_PER_FLUSH * feedMembers) / window,
    feedCountsEverySeconds: window,
    feedIntervalSeconds: 0,
    feedBytesPerInterval: 0,
  };
}

/**
 * Protocol 2 at a size: one frame per group per interval per member instead of one per event. The
 * feed's digest runs every digestIntervalMs(audience) when it has events (counts alone: every
 * countsGapMs), a post's digest at most every second while its post has events (its counts among
 * them; Σ over the Zipf posts, cappedShareSquares), a user's group as often as its rare events.
 * Every event still resolves its groups' members (the fan-out reads), and a digest reads them again.
 */
function protocol2Rates(model: Model, dau: number, meanConnected: number) {
  const sizing = digestSizing!;
  const p = model.profile;
  const connected = p.peak_concurrent_fraction * dau;
  let feedEvents = 0;
  let postEvents = 0;
  let userCalls = 0;
  let eventJobs = 0;
  for (const event of model.events) {
    const rate = peakRate(event.perDauDay, dau, p);
    eventJobs += rate;
    if (event.audiences.includes('ventroom_feed')) feedEvents += rate;
    if (event.audiences.includes('vent_post_<post>')) postEvents += rate;
    if (event.audiences.includes('user_<user>')) userCalls += rate * audience(model, 'user_<user>', dau, meanConnected);
  }
  const feedMembers = audience(model, 'ventroom_feed', dau, meanConnected);
  const intervalSeconds = sizing.intervalMs('ventroom_feed', feedMembers) / 1000;
  const countsEverySeconds = sizing.countsGapMs('ventroom_feed', intervalSeconds * 1000) / 1000;
  // A digest per interval that has events in it, otherwise once the counts are due (views never stop at these sizes).
  const feedFrames = Math.min(1 / intervalSeconds, feedEvents + 1 / countsEverySeconds);
  const feedCalls = feedMembers * feedFrames;
  const n = livePosts(dau, p);
  const perPostSample = model.fanout.postMembers / Math.max(1e-9, meanConnected / LIVE_POSTS);
  const postCalls = perPostSample * connected * cappedShareSquares(n, p.popularity.zipf_exponent, postEvents, 1);
  const calls = feedCalls + postCalls + userCalls;
  const feedDigestJobs = feedFrames * (1 + (feedMembers > 1000 ? Math.ceil(feedMembers / 1000) : 0));
  return {
    calls,
    jobs: eventJobs + feedDigestJobs + Math.min(n, postEvents),
    feedGroupRcu: (feedEvents + feedFrames) * Math.max(0.5, feedMembers * model.fanout.rcuPerMember),
    concurrency: (calls * model.fanout.msPerCall) / 1000,
    feedCounterCalls: feedMembers / countsEverySeconds,
    feedCountsEverySeconds: countsEverySeconds,
    feedIntervalSeconds: intervalSeconds,
    // One interval's feed events against one frame: past it the digest sends the newest and skips the rest (domain/digest.ts).
    feedBytesPerInterval: feedEvents * intervalSeconds * model.fanout.feedEventBytes,
  };
}

function lambdaConcurrency(model: Model, dau: number): number {
  return model.functions.filter((f) => f.id !== FANOUT).reduce((sum, f) => sum + (peakRate(f.perDauDay, dau, model.profile) * f.meanMs) / 1000, 0);
}

function figuresOf(model: Model, meanConnected: number): Figure[] {
  const figures: Figure[] = [];
  for (const load of model.keys) {
    const name = `${load.table === 'table' ? '' : 'index '}${load.label}`;
    figures.push({ what: `${name} RCU/s`, limit: LIMITS.partitionRcu, dataLayer: true, at: (dau) => keyRates(model, load, dau).rcu });
    figures.push({ what: `${name} WCU/s`, limit: LIMITS.partitionWcu, dataLayer: true, at: (dau) => keyRates(model, load, dau).wcu });
  }
  const p = model.profile;
  figures.push(
    { what: 'API Gateway requests/s (HTTP + WebSocket messages)', limit: LIMITS.apiGatewayRequests, dataLayer: true, at: (dau) => peakRate(model.perDauDay.http + model.perDauDay.wsIn, dau, p) },
    { what: 'new WebSocket connections/s', limit: LIMITS.newConnections, dataLayer: true, at: (dau) => peakRate(model.perDauDay.connects, dau, p) },
    { what: 'Lambda concurrency', limit: LIMITS.lambdaConcurrency, dataLayer: true, at: (dau) => lambdaConcurrency(model, dau) },
    {
      what: 'API Gateway requests/s with @connections',
      limit: LIMITS.apiGatewayRequests,
      dataLayer: false,
      at: (dau) => peakRate(model.perDauDay.http + model.perDauDay.wsIn, dau, p) + fanoutRates(model, dau, meanConnected).calls,
    },
    { what: 'GROUP#ventroom_feed RCU/s (fan-out reads)', limit: LIMITS.partitionRcu, dataLayer: false, at: (dau) => fanoutRates(model, dau, meanConnected).feedGroupRcu },
    { what: 'Lambda concurrency with fan-out', limit: LIMITS.lambdaConcurrency, dataLayer: false, at: (dau) => lambdaConcurrency(model, dau) + fanoutRates(model, dau, meanConnected).concurrency },
  );
  return figures;
}

/** Dollars per 1,000 DAU per month at a size, by line item. */
function costAt(model: Model, dau: number, meanConnected: number): { item: string; dollars: number }[] {
  const p = model.profile;
  const month = 1000 * 30;
  const fan = fanoutRates(model, dau, meanConnected);
  // Fan-out's per-DAU-day quantities at this size: its peak rate back to a day's average per user.
  const perDau = (peakPerSecond: number) => (peakPerSecond * 86_400) / (p.peak_factor * dau);
  const clockPerDau = (perRefresh: number) => (perRefresh * (86_400 / TRENDING_REFRESH_SECONDS)) / dau;
  const clockScale = livePosts(dau, p) / LIVE_POSTS;
  const lambdaGbS = model.functions.filter((f) => f.id !== FANOUT).reduce((sum, f) => sum + f.perDauDay * (f.memoryMb / 1024) * (Math.ceil(f.meanMs) / 1000), 0);
  const fanoutMemory = functionSpecs(defaultManifest).find((spec) => spec.id === FANOUT)?.memoryMb ?? 512;
  const lambdaRequests = model.functions.filter((f) => f.id !== FANOUT).reduce((sum, f) => sum + f.perDauDay, 0);
  const polls = model.functions.reduce((sum, f) => sum + f.sqsPolls, 0);
  return [
    { item: 'DynamoDB reads', dollars: (model.perDauDay.rcu + clockPerDau(model.perDauDay.clockRcu * clockScale) + perDau(fan.feedGroupRcu)) * PRICES.dynamoReadUnit * month },
    { item: 'DynamoDB writes', dollars: (model.perDauDay.wcu + clockPerDau(model.perDauDay.clockWcu)) * PRICES.dynamoWriteUnit * month },
    { item: 'Lambda requests', dollars: (lambdaRequests + perDau(fan.jobs)) * PRICES.lambdaRequest * month },
    { item: 'Lambda duration (local proxy)', dollars: (lambdaGbS + perDau(fan.calls * (model.fanout.msPerCall / 1000) * (fanoutMemory / 1024))) * PRICES.lambdaGbSecond * month },
    { item: 'API Gateway HTTP requests', dollars: model.perDauDay.http * PRICES.httpApiRequest * month },
    // The edge sees every HTTP request and every WebSocket upgrade; frames on an open socket are data transfer only.
    { item: 'CloudFront requests (edge)', dollars: (model.perDauDay.http + model.perDauDay.connects) * PRICES.cloudFrontRequest * month },
    { item: 'WAF requests (edge)', dollars: (model.perDauDay.http + model.perDauDay.connects) * PRICES.wafRequest * month },
    { item: 'WAF web ACL and rules ($8/month)', dollars: PRICES.wafMonthly / (dau / 1000) },
    { item: 'WebSocket messages (client, replies)', dollars: (model.perDauDay.wsIn + model.perDauDay.wsReplies) * PRICES.webSocketMessage * month },
    { item: 'WebSocket messages (@connections)', dollars: perDau(fan.calls) * model.fanout.unitsPerCall * PRICES.webSocketMessage * month },
    { item: 'WebSocket connection-minutes', dollars: p.sessions * p.minutes_connected_per_session * CONNECTION_MINUTE * month },
    { item: 'SQS requests', dollars: (model.perDauDay.sqsSends + polls + perDau(3 * fan.jobs)) * PRICES.sqsRequest * month },
  ];
}

const CONNECTION_MINUTE = 0.25 / 1e6;

function targetFigures(model: Model, dau: number, meanConnected: number): Record<string, unknown> {
  const keys = model.keys
    .map((load) => ({ key: load.label, table: load.table, cls: load.cls, ...keyRates(model, load, dau) }))
    .sort((a, b) => Math.max(b.rcu / LIMITS.partitionRcu, b.wcu / LIMITS.partitionWcu) - Math.max(a.rcu / LIMITS.partitionRcu, a.wcu / LIMITS.partitionWcu));
  const fan = fanoutRates(model, dau, meanConnected);
  const p = model.profile;
  const cost = costAt(model, dau, meanConnected);
  return {
    dau,
    hottestKeys: keys.slice(0, 10),
    fanoutFeedGroupRcu: fan.feedGroupRcu,
    http: peakRate(model.perDauDay.http, dau, p),
    wsMessages: peakRate(model.perDauDay.wsIn, dau, p),
    connectionsCalls: fan.calls,
    newConnections: peakRate(model.perDauDay.connects, dau, p),
    lambdaData: lambdaConcurrency(model, dau),
    lambdaFanout: fan.concurrency,
    feedIntervalSeconds: fan.feedIntervalSeconds,
    feedBytesPerInterval: fan.feedBytesPerInterval,
    cost,
    costTotal: cost.reduce((sum, line) => sum + line.dollars, 0),
  };
}

const num = (value: number) => (value >= 100 ? Math.round(value).toLocaleString('en-US') : value >= 10 ? value.toFixed(1) : value.toFixed(2));
const pct = (value: number, limit: number) => `${((100 * value) / limit).toFixed(value / limit < 0.1 ? 1 : 0)}%`;

/** Issue 12's fan-out figures at a number of feed watchers, for one kind of client. */
function watcherFigures(model: Model, watchers: number): string[] {
  const dau = watchers / model.profile.peak_concurrent_fraction;
  const fan = fanoutRates(model, dau, model.meanConnected);
  const countedPerSecond = peakRate(model.profile.counted_views, dau, model.profile);
  return [
    model.kind === 'protocol2' ? 'protocol 2' : 'contract clients',
    roundDau(dau),
    num(fan.calls),
    num(fan.calls / countedPerSecond),
    num(fan.calls / watchers),
    `${num(fan.feedCounterCalls)} (${pct(fan.feedCounterCalls, counterConfig.COUNTER_BUDGET_PER_SECOND)})`,
    `${num(fan.feedCountsEverySeconds)} s`,
    model.kind === 'protocol2' ? `${num(fan.feedIntervalSeconds)} s, ${num(fan.feedBytesPerInterval / 1024)} KB of events (${skippedShare(fan.feedBytesPerInterval)} skipped)` : '-',
  ];
}

/** At one frame an interval, what share of the feed's events a protocol-2 digest skips in the steady state. */
function skippedShare(bytesPerInterval: number): string {
  return pct(Math.max(0, bytesPerInterval - FRAME_BYTES), Math.max(1, bytesPerInterval));
}

function renderTables(profile: ScaleProfile, model: Model, model2: Model): Table[] {
  const tables: Table[] = [];
  const s = model.sample;
  tables.push({
    title: `Scale model: the recorded sample (contract clients; then the same population again on protocol 2)`,
    columns: ['what', 'value'],
    rows: Object.entries(s).map(([name, value]) => [name, String(value)]),
    notes: [
      `${s.users} users each living ${s.dayFraction} of the profile's day (${s.dauDays} DAU-days) on an in-process twin, ${CONCURRENCY} WebSocket sessions at a time, over ${s.livePosts} live posts (Zipf ${profile.popularity.zipf_exponent}).`,
      'Counts per operation follow the profile; each function\'s recorded work is weighted by expected/invoked (rare operations run at least once); the views worker by profile counted_views / counted in the sample.',
    ],
  });
  for (const target of model.targets as ({ dau: number; hottestKeys: { key: string; table: string; cls: string; rcu: number; wcu: number }[] } & Record<string, any>)[]) {
    tables.push({
      title: `Ten hottest partition keys at ${target.dau.toLocaleString('en-US')} DAU (peak ${profile.peak_factor}x)`,
      columns: ['partition key', 'table / index', 'grows with', 'RCU/s', 'of 3,000', 'WCU/s', 'of 1,000'],
      rows: target.hottestKeys.map((k) => [k.key, k.table, { shared: 'everyone', hour: 'everyone (this hour)', post: 'the top post (Zipf)', user: 'one user' }[k.cls as KeyClass], num(k.rcu), pct(k.rcu, 3000), num(k.wcu), pct(k.wcu, 1000)]),
      notes: [
        'Shared keys grow with DAU; a post\'s keys with DAU times the most popular live post\'s share (1/H(N), N = posts of the last 48 h); a user\'s or connection\'s keys do not grow. Clock work (the trending refresh, once per TRENDING_REFRESH_SECONDS) is added at its rate, its reads scaled with the live posts.',
        `Fan-out's reads of GROUP#ventroom_feed (every connected member per feed event): ${num(target.fanoutFeedGroupRcu)} RCU/s (${pct(target.fanoutFeedGroupRcu, 3000)}), in the fan-out rows below.`,
      ],
    });
  }
  const million = model.targets.find((t) => t.dau === 1_000_000) ?? model.targets[0]!;
  const hottest = (million.hottestKeys as { key: string; table: string }[]).slice(0, 4);
  const scale = peakRate(1, million.dau as number, profile);
  tables.push({
    title: `Where the hottest keys' load comes from at ${(million.dau as number).toLocaleString('en-US')} DAU (per function, RCU/s / WCU/s)`,
    columns: ['partition key', 'function', 'RCU/s', 'WCU/s'],
    rows: hottest.flatMap((hot) => {
      const load = model.keys.find((k) => k.label === hot.key && k.table === hot.table)!;
      if (load.cls === 'user') return [];
      const share = load.cls === 'post' ? topShare(livePosts(million.dau as number, profile), profile.popularity.zipf_exponent) : 1;
      const rows = Object.entries(load.byFunction)
        .map(([fn, units]) => [hot.key, fn, units.rcu * scale * share, units.wcu * scale * share] as const)
        .filter(([, , r, w]) => r + w > 0.005 * (keyRates(model, load, million.dau as number).rcu + keyRates(model, load, million.dau as number).wcu))
        .sort((a, b) => b[2] / 3 + b[3] - (a[2] / 3 + a[3]))
        .map(([key, fn, r, w]) => [key, fn, num(r), num(w)]);
      if (load.clockRcu || load.clockWcu) {
        const rates = keyRates(model, { ...load, rcu: 0, wcu: 0 }, million.dau as number);
        rows.push([hot.key, 'trending refresh (clock)', num(rates.rcu), num(rates.wcu)]);
      }
      return rows;
    }),
  });
  tables.push({
    title: 'Account limits at each size (peak)',
    columns: ['figure', 'limit', ...model.targets.map((t) => `${(t.dau as number).toLocaleString('en-US')} DAU`)],
    rows: [
      ['API Gateway: HTTP requests/s', '', ...model.targets.map((t) => num(t.http as number))],
      ['API Gateway: WebSocket messages/s (client)', '', ...model.targets.map((t) => num(t.wsMessages as number))],
      ['API Gateway: @connections calls/s (contract clients)', '', ...model.targets.map((t) => num(t.connectionsCalls as number))],
      ['API Gateway account requests/s, data layer', '10,000', ...model.targets.map((t) => `${num((t.http as number) + (t.wsMessages as number))} (${pct((t.http as number) + (t.wsMessages as number), 10000)})`)],
      ['API Gateway account requests/s, with @connections', '10,000', ...model.targets.map((t) => `${num((t.http as number) + (t.wsMessages as number) + (t.connectionsCalls as number))} (${pct((t.http as number) + (t.wsMessages as number) + (t.connectionsCalls as number), 10000)})`)],
      ['new WebSocket connections/s', '500', ...model.targets.map((t) => `${num(t.newConnections as number)} (${pct(t.newConnections as number, 500)})`)],
      ['Lambda concurrency, data layer', '1,000', ...model.targets.map((t) => `${num(t.lambdaData as number)} (${pct(t.lambdaData as number, 1000)})`)],
      ['Lambda concurrency, with fan-out', '1,000', ...model.targets.map((t) => `${num((t.lambdaData as number) + (t.lambdaFanout as number))} (${pct((t.lambdaData as number) + (t.lambdaFanout as number), 1000)})`)],
      ['API Gateway: @connections calls/s (protocol 2)', '', ...model2.targets.map((t) => num(t.connectionsCalls as number))],
      ['API Gateway account requests/s, with @connections (protocol 2)', '10,000', ...model2.targets.map((t) => `${num((t.http as number) + (t.wsMessages as number) + (t.connectionsCalls as number))} (${pct((t.http as number) + (t.wsMessages as number) + (t.connectionsCalls as number), 10000)})`)],
      ['GROUP#ventroom_feed RCU/s, fan-out reads (protocol 2)', '3,000', ...model2.targets.map((t) => `${num(t.fanoutFeedGroupRcu as number)} (${pct(t.fanoutFeedGroupRcu as number, 3000)})`)],
      ['Lambda concurrency, with fan-out (protocol 2)', '1,000', ...model2.targets.map((t) => `${num((t.lambdaData as number) + (t.lambdaFanout as number))} (${pct((t.lambdaData as number) + (t.lambdaFanout as number), 1000)})`)],
      ['feed digest interval (protocol 2)', '', ...model2.targets.map((t) => `${num(t.feedIntervalSeconds as number)} s`)],
      ["feed digest: one interval's events (protocol 2), share skipped", '32 KB a frame', ...model2.targets.map((t) => `${num((t.feedBytesPerInterval as number) / 1024)} KB (${skippedShare(t.feedBytesPerInterval as number)} skipped)`)],
    ],
    notes: [
      'Lambda concurrency = invocations/s x mean duration (durations measured in-process against the local emulators: a local proxy). @connections calls = feed-group events x connected users (peak_concurrent_fraction of DAU) + post-group events x their members + user-group events.',
    ],
  });
  tables.push({
    title: 'Functions: invocations per DAU-day (weighted) and duration (median of the quiet pass, a local proxy)',
    columns: ['function', 'per DAU-day', 'ms', 'weight'],
    rows: model.functions.sort((a, b) => b.perDauDay - a.perDauDay).map((f) => [f.id, f.perDauDay.toFixed(3), f.meanMs.toFixed(1), f.weight.toFixed(2)]),
  });
  for (const one of [model, model2]) {
    tables.push({
      title: `$ per 1,000 DAU per month (${one.kind === 'protocol2' ? 'protocol 2' : 'contract clients'}), by size`,
      columns: ['item', ...one.targets.map((t) => `${(t.dau as number).toLocaleString('en-US')} DAU`)],
      rows: [
        ...(one.targets[0]!.cost as { item: string }[]).map((line, index) => [line.item, ...one.targets.map((t) => `$${(t.cost as { dollars: number }[])[index]!.dollars.toFixed(2)}`)]),
        ['total', ...one.targets.map((t) => `$${(t.costTotal as number).toFixed(2)}`)],
      ],
      notes: [
        `Prices: bench/cost.ts (${PRICES.asOf}), plus $1.00 per million WebSocket messages (32 KB units) and $0.25 per million connection-minutes (${profile.sessions} sessions x ${profile.minutes_connected_per_session} min per DAU-day).`,
        ...(one.kind === 'protocol2' ? ['Protocol 2: the same population recorded again with `?protocol=2` (its digests\' reads and writes included); a frame is one 32 KB unit.'] : []),
      ],
    });
  }
  tables.push({
    title: 'Fan-out at 100,000 feed watchers (issue 12), from the model',
    columns: ['clients', 'DAU', '@connections calls/s', 'per counted view', 'per watcher/s', `feed counter calls/s (of the ${counterConfig.COUNTER_BUDGET_PER_SECOND.toLocaleString('en-US')} budget)`, 'feed counts at most every', 'feed digest (protocol 2)'],
    rows: [watcherFigures(model, 100_000), watcherFigures(model2, 100_000)],
    notes: [
      `Watchers are the peak's connected users (peak_concurrent_fraction ${profile.peak_concurrent_fraction} of DAU). Calls: every event to every member of its groups (contract) or one frame per group per interval (protocol 2); per counted view: all calls over the counted views of the peak. A protocol-2 feed digest carries one 32 KB frame an interval: when an interval's feed events are more than that, it sends the newest that fit and skips the rest (the client is told and refetches the feed over HTTP), so the feed stays current and the share skipped grows with the audience.`,
    ],
  });
  return tables;
}

function summaryLine(model: Model, model2: Model): string {
  const data = firstLimit(model.figures.filter((f) => f.dataLayer));
  const fanout = (one: Model) => {
    const limit = firstLimit(one.figures.filter((f) => !f.dataLayer));
    return limit ? roundDau(limit.dau) : '> 10,000,000,000';
  };
  const at1M = (one: Model) => costAt(one, 1_000_000, one.meanConnected).reduce((sum, line) => sum + line.dollars, 0);
  const n = data ? `${roundDau(data.dau)} DAU (${data.what})` : '> 10,000,000,000 DAU (none)';
  return `scale: data layer first limit at ${n}; fan-out within budget up to ${fanout(model)} DAU (contract clients), ${fanout(model2)} DAU (protocol 2); $${at1M(model).toFixed(2)} per 1k DAU-month at 1M DAU (contract clients), $${at1M(model2).toFixed(2)} (protocol 2)`;
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
