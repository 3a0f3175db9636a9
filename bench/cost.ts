import { defaultManifest, functionSpecs } from '../lib/manifest.ts';
import type { CapacityResult, CapacityRow } from './capacity.ts';
import { invokeConsumer, invokeOk } from './support/invoke.ts';
import { median } from './support/stats.ts';
import type { Table } from './support/table.ts';
import type { BenchTwin } from './support/twin.ts';

/**
 * Dollars per million feed requests and per million counted views, from what this run measured
 * (capacity units per operation, handler durations) and AWS list prices.
 *
 * PRICES: public list prices for us-east-1, on demand, Lambda on arm64 (Graviton), first pricing
 * tier, no free tier, as published on the AWS pricing pages in 2025 (DynamoDB on-demand after the
 * November 2024 reduction). They were not re-checked against the live pages when this was written
 * (Nov 2026); check https://aws.amazon.com/pricing before relying on them.
 */
export const PRICES = {
  asOf: '2025 list prices (DynamoDB on-demand after the Nov 2024 price cut); us-east-1, on demand, arm64 Lambda',
  /** DynamoDB on demand (Standard table class): per write / read request unit. */
  dynamoWriteUnit: 0.625 / 1e6,
  dynamoReadUnit: 0.125 / 1e6,
  /** Lambda arm64: per request and per GB-second (first 7.5 billion GB-s a month). */
  lambdaRequest: 0.2 / 1e6,
  lambdaGbSecond: 0.0000133334,
  /** API Gateway HTTP API: per request (first 300 million a month, 512 KB metering). */
  httpApiRequest: 1.0 / 1e6,
  /** SQS standard queue: per request (each 64 KB chunk of a payload is a request). */
  sqsRequest: 0.4 / 1e6,
  /** API Gateway WebSocket: per message (32 KB increments); not in the per-view figure (audience-dependent). */
  webSocketMessage: 1.0 / 1e6,
  /** The edge in front of both APIs (lib/edge.ts): CloudFront HTTPS requests ($0.0100 per 10,000, US/Europe). */
  cloudFrontRequest: 1.0 / 1e6,
  /** AWS WAF: per request the web ACL inspects, and per month $5 per web ACL + $1 per rule (3 rules). */
  wafRequest: 0.6 / 1e6,
  wafMonthly: 5 + 3 * 1,
};

export interface CostLine {
  item: string;
  quantity: string;
  dollarsPerMillion: number;
}

export interface CostModel {
  title: string;
  lines: CostLine[];
  total: number;
  kind: 'feed' | 'views';
}

export interface CostResult {
  models: CostModel[];
  durations: Record<string, number>;
}

const memoryOf = (id: string) => functionSpecs(defaultManifest).find((spec) => spec.id === id)?.memoryMb ?? 512;

/** Lambda bills whole milliseconds. */
function gbSeconds(memoryMb: number, durationMs: number): number {
  return (memoryMb / 1024) * (Math.ceil(durationMs) / 1000);
}

function row(rows: CapacityRow[], operation: string, shape?: RegExp): CapacityRow | undefined {
  return rows.find((r) => r.operation === operation && (!shape || shape.test(r.shape)));
}

async function timeMs(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

export async function costModel(twin: BenchTwin, capacity: CapacityResult, log: (line: string) => void): Promise<CostResult> {
  log('cost: timing warm handler invocations in this process (a local proxy for Lambda duration)');
  const reader = capacity.fixture.viewedReader;
  const feedTimes: number[] = [];
  for (let i = 0; i < 20; i++) feedTimes.push(await timeMs(() => invokeOk({ method: 'GET', path: '/api/ventroom/posts/', user: reader })));
  await twin.drain();
  const batchTimes: Record<string, number[]> = { '100x1': [], '5x20': [] };
  const viewedAt = new Date().toISOString();
  for (let round = 0; round < 3; round++) {
    const single = await Promise.all(Array.from({ length: 100 }, () => twin.newUser('Cost viewer')));
    const post = capacity.fixture.postIds[capacity.fixture.postIds.length - 5 - round]!;
    batchTimes['100x1']!.push(await timeMs(() => invokeConsumer('ViewsCounter', single.map((u) => JSON.stringify({ user_id: u.id, post_ids: [post], viewed_at: viewedAt })))));
    const five = await Promise.all(Array.from({ length: 5 }, () => twin.newUser('Cost viewer')));
    const posts = capacity.fixture.postIds.slice(20, 40);
    batchTimes['5x20']!.push(await timeMs(() => invokeConsumer('ViewsCounter', five.map((u) => JSON.stringify({ user_id: u.id, post_ids: posts, viewed_at: viewedAt })))));
  }
  await twin.drain();
  const durations = { ListPosts: median(feedTimes), 'ViewsCounter 100x1 batch': median(batchTimes['100x1']!), 'ViewsCounter 5x20 batch': median(batchTimes['5x20']!) };

  const models: CostModel[] = [];
  const feedMemory = memoryOf('ListPosts');
  const feed = row(capacity.rows, 'feed page of 20', /viewed/);
  if (feed) {
    const lines: CostLine[] = [
      { item: 'API Gateway HTTP API request', quantity: '1', dollarsPerMillion: PRICES.httpApiRequest * 1e6 },
      { item: 'CloudFront request (edge)', quantity: '1', dollarsPerMillion: PRICES.cloudFrontRequest * 1e6 },
      { item: 'WAF request (per-IP limits)', quantity: '1', dollarsPerMillion: PRICES.wafRequest * 1e6 },
      { item: 'Lambda request', quantity: '1', dollarsPerMillion: PRICES.lambdaRequest * 1e6 },
      {
        item: `Lambda duration (${feedMemory} MB)`,
        quantity: `${Math.ceil(durations.ListPosts)} ms (local proxy)`,
        dollarsPerMillion: gbSeconds(feedMemory, durations.ListPosts) * PRICES.lambdaGbSecond * 1e6,
      },
      { item: 'DynamoDB reads', quantity: `${feed.readUnits} RRU`, dollarsPerMillion: feed.readUnits * PRICES.dynamoReadUnit * 1e6 },
      { item: 'DynamoDB writes (rate limit)', quantity: `${feed.rateLimitUnits + feed.writeUnits} WRU`, dollarsPerMillion: (feed.rateLimitUnits + feed.writeUnits) * PRICES.dynamoWriteUnit * 1e6 },
    ];
    models.push({
      kind: 'feed',
      title: '$ per million feed requests (page of 20; a fresh reader costs the same read units)',
      lines,
      total: lines.reduce((total, line) => total + line.dollarsPerMillion, 0),
    });
  }

  const viewsMemory = memoryOf('ViewsCounter');
  for (const [shape, pattern, views, messages, posts, duration] of [
    ['100 users x 1 post', /100 users/, 100, 100, 1, durations['ViewsCounter 100x1 batch']],
    ['5 users x 20 posts', /5 users/, 100, 5, 20, durations['ViewsCounter 5x20 batch']],
  ] as const) {
    const counted = row(capacity.rows, 'counted view (amortised)', pattern);
    if (!counted) continue;
    const perView = (value: number) => (value / views) * 1e6;
    const broadcasts = counted.messages.broadcast ?? 0;
    const lines: CostLine[] = [
      { item: 'DynamoDB writes', quantity: `${counted.writeUnits.toFixed(2)} WRU/view`, dollarsPerMillion: counted.writeUnits * PRICES.dynamoWriteUnit * 1e6 },
      { item: 'DynamoDB reads', quantity: `${counted.readUnits.toFixed(2)} RRU/view`, dollarsPerMillion: counted.readUnits * PRICES.dynamoReadUnit * 1e6 },
      { item: 'views worker: Lambda request', quantity: `1 per batch of ${views}`, dollarsPerMillion: perView(PRICES.lambdaRequest) },
      {
        item: `views worker: Lambda duration (${viewsMemory} MB)`,
        quantity: `${Math.ceil(duration)} ms per batch (local proxy)`,
        dollarsPerMillion: perView(gbSeconds(viewsMemory, duration) * PRICES.lambdaGbSecond),
      },
      {
        item: 'SQS: send, receive, delete the views messages',
        quantity: `${messages} sends + ${Math.ceil(messages / 10)} receives + ${Math.ceil(messages / 10)} deletes per batch`,
        dollarsPerMillion: perView((messages + 2 * Math.ceil(messages / 10)) * PRICES.sqsRequest),
      },
      {
        item: 'broadcast: enqueue, receive, delete + fan-out Lambda requests',
        quantity: `${broadcasts} event(s) per batch`,
        dollarsPerMillion: perView(3 * Math.ceil(broadcasts / 10) * PRICES.sqsRequest + Math.ceil(broadcasts / 10) * PRICES.lambdaRequest),
      },
    ];
    models.push({
      kind: 'views',
      title: `$ per million counted views: batches of ${shape} (${posts} broadcast(s) per batch)`,
      lines,
      total: lines.reduce((total, line) => total + line.dollarsPerMillion, 0),
    });
  }
  return { models, durations };
}

export function costTables(result: CostResult): Table[] {
  return result.models.map((model, index) => ({
    title: model.title,
    columns: ['item', 'quantity', '$ per million'],
    rows: [...model.lines.map((line) => [line.item, line.quantity, `$${line.dollarsPerMillion.toFixed(3)}`]), ['total', '', `$${model.total.toFixed(2)}`]],
    notes: [
      ...(index === 0
        ? [
            `Prices: ${PRICES.asOf}: DynamoDB $0.625 per million write / $0.125 per million read request units; Lambda $0.20 per million requests + $0.0000133334 per GB-s; HTTP API $1.00 per million; SQS $0.40 per million requests; the edge (CloudFront + WAF in front of both APIs, hardening item 1) $1.00 + $0.60 per million requests, plus $8 a month for the web ACL and its rules. Free tiers ignored.`,
            'Lambda duration is the warm handler time measured in the bench process against the local emulators: a local proxy, not an AWS measurement.',
          ]
        : []),
      ...(model.kind === 'feed' ? ['A page with unseen posts also sends one SQS message; it is billed with the views it carries (below).'] : []),
      ...(model.kind === 'views' && index === result.models.findIndex((m) => m.kind === 'views')
        ? ['Not included: delivering the view-count events to sockets ($1.00 per million WebSocket messages times the audience) and the fan-out worker\'s time; the reads that enqueue the views are billed as feed/detail requests.']
        : []),
    ],
  }));
}
