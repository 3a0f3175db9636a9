import autocannon from 'autocannon';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactGetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { db } from '../lambdas/core/db.ts';
import type { HttpMethod } from '../lambdas/manifest.ts';
import type { Fixture } from './capacity.ts';
import { hasRoute, invokeOk, type HttpCall } from './support/invoke.ts';
import { installRecorder, isRateLimit, recordCalls, type DbCall } from './support/recorder.ts';
import { percentile } from './support/stats.ts';
import type { Table } from './support/table.ts';
import { contentOfLength } from './support/text.ts';
import type { BenchTwin, BenchUser } from './support/twin.ts';

/**
 * Local load: autocannon against the twin's HTTP gateway (rate limits off in the twin), and the
 * floor of the same work: the DynamoDB calls the handler makes, recorded from real invocations of
 * the same requests, replayed straight against DynamoDB Local from the same number of concurrent
 * loops. Calls that ran in parallel in the handler run in parallel in the replay (stage by stage).
 * Replayed writes go without their conditions (a repeated conditional write would stop at its
 * condition instead of writing); everything else is the recorded input.
 */
const CONNECTIONS = 20;
const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 10);
const SAMPLES = 20;

export interface LoadRow {
  operation: string;
  request: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  rawPerSecond: number;
  rawP50: number;
  rawP99: number;
  rawErrors: number;
  /** DynamoDB calls per request (rate limit excluded: it is off in the load twin). */
  callsPerRequest: number;
}

export interface LoadResult {
  rows: LoadRow[];
  missing: string[];
  connections: number;
  seconds: number;
}

interface LoadOperation {
  name: string;
  method: HttpMethod;
  template: string;
  /** The i-th request (users, posts and bodies rotate so requests are realistic and spread). */
  request(i: number): HttpCall;
  /** Where the recorded samples start (after requests 0-19 ran unrecorded); default 20. */
  sampleFrom?: number;
}

const COMMANDS: Record<string, new (input: any) => any> = {
  GetItem: GetCommand,
  Query: QueryCommand,
  PutItem: PutCommand,
  UpdateItem: UpdateCommand,
  DeleteItem: DeleteCommand,
  BatchGetItem: BatchGetCommand,
  BatchWriteItem: BatchWriteCommand,
  TransactWriteItems: TransactWriteCommand,
  TransactGetItems: TransactGetCommand,
};

/** Drops the condition of a write and the expression names/values only the condition used. */
function unconditional(operation: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...operation };
  delete copy.ConditionExpression;
  delete copy.ReturnValuesOnConditionCheckFailure;
  const used = ['UpdateExpression', 'KeyConditionExpression', 'ProjectionExpression', 'FilterExpression']
    .map((name) => copy[name])
    .filter((text): text is string => typeof text === 'string')
    .join(' ');
  for (const [field, prefix] of [
    ['ExpressionAttributeNames', '#'],
    ['ExpressionAttributeValues', ':'],
  ] as const) {
    const map = copy[field] as Record<string, unknown> | undefined;
    if (!map) continue;
    const kept = Object.fromEntries(Object.entries(map).filter(([token]) => token.startsWith(prefix) && new RegExp(`${token}(?!\\w)`).test(used)));
    if (Object.keys(kept).length) copy[field] = kept;
    else delete copy[field];
  }
  return copy;
}

function replayInput(call: DbCall): Record<string, unknown> {
  const input = structuredClone(call.input);
  delete input.ReturnConsumedCapacity;
  if (/^(PutItem|UpdateItem|DeleteItem)$/.test(call.command)) return unconditional(input);
  if (call.command === 'TransactWriteItems') {
    input.TransactItems = (input.TransactItems as Record<string, Record<string, unknown>>[]).map((item) => {
      const [kind, operation] = Object.entries(item)[0]!;
      return kind === 'ConditionCheck' ? item : { [kind]: unconditional(operation) };
    });
  }
  return input;
}

/** The calls of one request grouped into stages: each stage's calls ran in parallel. */
function stages(calls: DbCall[]): DbCall[][] {
  const depth: number[] = [];
  calls.forEach((call, index) => {
    let best = 0;
    for (let before = 0; before < index; before++) if (calls[before]!.endedAt <= call.startedAt) best = Math.max(best, depth[before]!);
    depth.push(best + 1);
  });
  const grouped: DbCall[][] = [];
  calls.forEach((call, index) => (grouped[depth[index]! - 1] ??= []).push(call));
  return grouped.filter(Boolean);
}

async function replay(samples: DbCall[][], seconds: number): Promise<{ perSecond: number; p50: number; p99: number; errors: number }> {
  const plans = samples.map((calls) => stages(calls).map((stage) => stage.map((call) => ({ Command: COMMANDS[call.command]!, input: replayInput(call) }))));
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + seconds * 1000;
  let next = 0;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < deadline) {
        const plan = plans[next++ % plans.length]!;
        const started = performance.now();
        for (const stage of plan) {
          const results = await Promise.allSettled(stage.map(({ Command, input }) => db.send(new Command(structuredClone(input)))));
          errors += results.filter((result) => result.status === 'rejected').length;
        }
        latencies.push(performance.now() - started);
      }
    }),
  );
  return { perSecond: latencies.length / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), errors };
}

function toRequest(call: HttpCall) {
  const headers: Record<string, string> = { authorization: `Bearer ${call.user.token}` };
  if (call.json !== undefined) headers['content-type'] = 'application/json';
  return { method: call.method, path: call.path, headers, body: call.json === undefined ? undefined : JSON.stringify(call.json) };
}

async function load(twin: BenchTwin, operation: LoadOperation, seconds: number) {
  let counter = 1_000_000;
  return autocannon({
    url: twin.info.httpUrl,
    connections: CONNECTIONS,
    duration: seconds,
    timeout: 30,
    requests: [{ setupRequest: (request) => ({ ...request, ...toRequest(operation.request(counter++)) }) }],
  });
}

export async function measureLoad(twin: BenchTwin, fixture: Fixture, log: (line: string) => void): Promise<LoadResult> {
  installRecorder(db);
  await twin.drain();
  const posts = fixture.postIds.slice(-20);
  // Readers who have seen the newest 20 posts: the steady state of a feed (nothing left to count).
  const readers: BenchUser[] = [fixture.viewedReader];
  while (readers.length < 20) readers.push(await twin.newUser(`Load reader ${readers.length}`));
  for (const reader of readers.slice(1)) await invokeOk({ method: 'GET', path: '/api/ventroom/posts/', user: reader });
  await twin.drain();
  const writers: BenchUser[] = [];
  while (writers.length < 50) writers.push(await twin.newUser(`Load writer ${writers.length}`));
  const reactions = ['👍', '❤️', '😂', '😢'];

  const operations: LoadOperation[] = [
    { name: 'feed page of 20', method: 'GET', template: '/api/ventroom/posts', request: (i) => ({ method: 'GET', path: '/api/ventroom/posts/', user: readers[i % readers.length]! }) },
    {
      name: 'post detail',
      method: 'GET',
      template: '/api/ventroom/posts/{post_id}',
      request: (i) => ({ method: 'GET', path: `/api/ventroom/posts/${posts[i % posts.length]}/`, user: readers[Math.floor(i / posts.length) % readers.length]! }),
    },
    {
      name: 'create comment',
      method: 'POST',
      template: '/api/ventroom/posts/{post_id}/comments',
      request: (i) => ({
        method: 'POST',
        path: `/api/ventroom/posts/${posts[i % posts.length]}/comments/`,
        user: writers[i % writers.length]!,
        json: { text: contentOfLength(200, i) },
      }),
    },
    {
      name: 'reaction (add or change)',
      method: 'POST',
      template: '/api/ventroom/reactions',
      // Every (writer, post) pair moves to the next reaction each round: after the first round, each request is a change.
      sampleFrom: 50 * 20,
      request: (i) => ({
        method: 'POST',
        path: '/api/ventroom/reactions/',
        user: writers[i % writers.length]!,
        json: { content_type: 'ventpost', object_id: posts[Math.floor(i / writers.length) % posts.length], reaction_type: reactions[Math.floor(i / (writers.length * posts.length)) % 4] },
      }),
    },
  ];

  const rows: LoadRow[] = [];
  const missing: string[] = [];
  for (const operation of operations) {
    if (!hasRoute(operation.method, operation.template)) {
      missing.push(`${operation.name}: no ${operation.method} ${operation.template}/ route yet`);
      continue;
    }
    // The calls this request makes, from real invocations in this process, after a few unrecorded
    // ones (warm-up; for reactions, the first round that adds what the samples then change).
    for (let i = 0; i < SAMPLES; i++) await invokeOk(operation.request(i));
    const samples: DbCall[][] = [];
    const from = operation.sampleFrom ?? SAMPLES;
    for (let i = from; i < from + SAMPLES; i++) {
      const { calls } = await recordCalls(() => invokeOk(operation.request(i)));
      samples.push(calls.filter((call) => !isRateLimit(call)));
    }
    // The twin's handlers warm up too (module load, connections) before the clock starts.
    for (let i = 0; i < 5; i++) {
      const request = toRequest(operation.request(2_000_000 + i));
      await fetch(`${twin.info.httpUrl}${request.path}`, { method: request.method, headers: request.headers, body: request.body });
    }
    await twin.drain();
    log(`load: ${operation.name}, ${CONNECTIONS} connections for ${SECONDS} s, then its DynamoDB calls replayed the same way`);
    const result = await load(twin, operation, SECONDS);
    await twin.drain();
    const raw = await replay(samples, SECONDS);
    await twin.drain();
    rows.push({
      operation: operation.name,
      request: `${operation.method} ${operation.template}/`,
      requestsPerSecond: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      non2xx: result.non2xx,
      errors: result.errors + result.timeouts,
      rawPerSecond: raw.perSecond,
      rawP50: raw.p50,
      rawP99: raw.p99,
      rawErrors: raw.errors,
      callsPerRequest: samples.reduce((total, calls) => total + calls.length, 0) / samples.length,
    });
  }
  return { rows, missing, connections: CONNECTIONS, seconds: SECONDS };
}

const fixed = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : '-');

export function loadTable(result: LoadResult): Table {
  return {
    title: `Local load: ${result.connections} connections, ${result.seconds} s per operation, against its raw DynamoDB Local calls`,
    columns: ['operation', 'req/s', 'p50', 'p99', 'non-2xx', 'DynamoDB calls/req', 'raw iter/s', 'raw p50', 'raw p99', 'throughput vs raw', 'p50 vs raw'],
    rows: result.rows.map((row) => [
      row.operation,
      fixed(row.requestsPerSecond),
      `${fixed(row.p50)} ms`,
      `${fixed(row.p99)} ms`,
      String(row.non2xx + row.errors),
      fixed(row.callsPerRequest, 1),
      fixed(row.rawPerSecond),
      `${fixed(row.rawP50, 1)} ms`,
      `${fixed(row.rawP99, 1)} ms`,
      `${fixed(row.requestsPerSecond / row.rawPerSecond, 2)}x`,
      `${fixed(row.p50 / row.rawP50, 1)}x`,
    ]),
    notes: [
      'autocannon against the twin\'s HTTP gateway (one Node process: gateway + handlers; rate limits off via RATE_LIMITS_ENABLED=false), DynamoDB Local (Java) and fauxqs behind it, all on this machine.',
      `raw: the same requests\' DynamoDB calls (recorded from ${SAMPLES} real invocations) replayed directly against DynamoDB Local from ${result.connections} concurrent loops, parallel calls kept parallel; writes replayed without their conditions.`,
      `Shortened from 20 s to ${result.seconds} s per run to keep \`npm run bench\` under 10 minutes on 2 cores (BENCH_LOAD_SECONDS overrides).`,
      ...result.missing.map((line) => `not measured: ${line}`),
    ],
  };
}
