import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { ApiGatewayManagementApiClient, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import pLimit from 'p-limit';
import WebSocket from 'ws';
import { publish } from '../lambdas/core/broadcast.ts';
import { db } from '../lambdas/core/db.ts';
import { groups } from '../lambdas/core/groups.ts';
import { connectionKeys } from '../lambdas/core/keys.ts';
import { serverMessage } from '../lambdas/core/messages.ts';
import { groupConnections } from '../lambdas/repositories/connections.ts';
import { PROJECT_ROOT } from '../lib/project.ts';
import type { CapacityRow } from './capacity.ts';
import { readUnitsFor } from './support/item-size.ts';
import { invokeConsumer } from './support/invoke.ts';
import { partitionBytes } from './support/items.ts';
import { installRecorder, recordCalls, stagesOf } from './support/recorder.ts';
import { median, ms, sum } from './support/stats.ts';
import type { Table } from './support/table.ts';
import type { BenchTwin, BenchUser } from './support/twin.ts';

/**
 * Fan-out: the time from publishing one event to its arrival on the last of N live WebSocket
 * connections, through the real pipeline: `publish()` (as a handler calls it) -> broadcast queue
 * (fauxqs) -> the twin's poller -> BroadcastFanout worker (group Query, chunk jobs for parallel
 * invocations, PostToConnection with bounded concurrency) -> the twin's WS gateway (@connections)
 * -> the sockets, held by clients in this process.
 *
 * Baselines, against the same N client sockets:
 * - @connections loop (the target's baseline): the same PostToConnection calls with the worker's
 *   client settings (keep-alive, concurrency 100), from a plain loop over the connection ids read
 *   beforehand: no queue, no database, no chunking. In AWS, API Gateway owns the sockets and
 *   PostToConnection is the only way to reach one, so this is the least any design can do there;
 *   the ratio is the price of the queue and the group lookup.
 * - plain ws loop (for scale): a bare `ws` server in its own process sends to N sockets in one
 *   synchronous loop. No API Gateway design can get here; it shows what the sockets alone cost.
 * Each time is the median of RUNS; the clients count arrivals of a per-run marker.
 */
const RUNS = 5;
const CONNECT_CONCURRENCY = 50;
const TIMEOUT_MS = 60_000;

export interface FanoutRow {
  sockets: number;
  pipelineMs: number;
  pipelineDelivered: number;
  managementLoopMs: number;
  rawLoopMs: number;
  /** pipeline speed as a fraction of the @connections loop's (1.0 = as fast). */
  speedVsManagement: number;
  speedVsRaw: number;
  target: { text: string; met: boolean };
}

export interface FanoutResult {
  rows: FanoutRow[];
  capacity: CapacityRow[];
  connectSeconds: number;
  cappedAt?: number;
}

/** Client sockets that count the arrivals of a marker. */
class Audience {
  private sockets: WebSocket[] = [];
  private marker = '';
  private arrived = 0;
  private waiter: (() => void) | undefined;

  get size() {
    return this.sockets.length;
  }

  private onMessage = (data: WebSocket.RawData) => {
    if (this.marker && data.toString().includes(this.marker)) {
      this.arrived += 1;
      if (this.arrived === this.sockets.length) this.waiter?.();
    }
  };

  /** Opens one socket; `ready` resolves once the socket may receive (e.g. after joining a group). */
  async add(url: string, ready: (socket: WebSocket) => Promise<void> = async () => undefined): Promise<void> {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
      socket.once('unexpected-response', (_request, response) => reject(new Error(`upgrade refused: ${response.statusCode}`)));
    });
    await ready(socket);
    socket.on('message', this.onMessage);
    this.sockets.push(socket);
  }

  /** Runs `send` and resolves with the ms until every socket got the marker (or the timeout). */
  async time(marker: string, send: () => Promise<void>): Promise<{ ms: number; delivered: number }> {
    this.marker = marker;
    this.arrived = 0;
    const all = new Promise<void>((resolve) => {
      this.waiter = resolve;
    });
    const started = performance.now();
    await send();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise((resolve) => (timer = setTimeout(resolve, TIMEOUT_MS)))]);
    clearTimeout(timer);
    const elapsed = performance.now() - started;
    this.waiter = undefined;
    this.marker = '';
    return { ms: elapsed, delivered: this.arrived };
  }

  async close(): Promise<void> {
    await Promise.all(
      this.sockets.map(
        (socket) =>
          new Promise<void>((resolve) => {
            if (socket.readyState === WebSocket.CLOSED) return resolve();
            socket.once('close', () => resolve());
            socket.terminate();
          }),
      ),
    );
    this.sockets = [];
  }
}

async function inParallel(count: number, concurrency: number, work: (index: number) => Promise<void>): Promise<void> {
  const limit = pLimit(concurrency);
  await Promise.all(Array.from({ length: count }, (_, index) => limit(() => work(index))));
}

/** Joins the feed group over the socket, as the app does, and waits for the reply. */
function joinFeed(socket: WebSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no ventroom_joined within 30 s')), 30_000);
    const onMessage = (data: WebSocket.RawData) => {
      const message = JSON.parse(data.toString()) as { type?: string; data?: { message?: string } };
      if (message.type === 'ventroom_joined' || message.type === 'error') {
        clearTimeout(timer);
        socket.off('message', onMessage);
        if (message.type === 'error') reject(new Error(`join failed: ${message.data?.message}`));
        else resolve();
      }
    };
    socket.on('message', onMessage);
    socket.send(JSON.stringify({ type: 'join_ventroom' }));
  });
}

async function startRawServer(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'bench', 'raw-ws-server.ts')], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let buffer = '';
    child.once('exit', (code) => reject(new Error(`raw ws server exited (${code})`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const match = /RAW_WS_PORT (\d+)/.exec(buffer);
      if (match) resolve(Number(match[1]));
    });
  });
  return { child, port };
}

export async function measureFanout(twin: BenchTwin, sizes: number[], maxSockets: number, log: (line: string) => void): Promise<FanoutResult> {
  installRecorder(db);
  const wanted = sizes.filter((n) => n <= maxSockets);
  const cappedAt = wanted.length < sizes.length ? maxSockets : undefined;
  if (cappedAt) log(`fan-out: only ${maxSockets} sockets fit the open-file limit; skipping larger audiences`);
  await twin.drain();

  const users: BenchUser[] = [];
  for (let i = 0; i < 50; i++) users.push(await twin.newUser(`Listener ${i}`));
  const audience = new Audience();
  const raw = await startRawServer();
  const api = new ApiGatewayManagementApiClient({
    endpoint: process.env.WS_MANAGEMENT_ENDPOINT,
    requestHandler: { httpAgent: { keepAlive: true, maxSockets: 100 }, httpsAgent: { keepAlive: true, maxSockets: 100 } },
  });
  const rows: FanoutRow[] = [];
  const capacity: CapacityRow[] = [];
  let connectMs = 0;
  try {
    for (const size of wanted) {
      const started = performance.now();
      const missing = size - audience.size;
      log(`fan-out: connecting ${missing} more sockets to the twin (connect + join_ventroom) for ${size}`);
      await inParallel(missing, CONNECT_CONCURRENCY, (index) =>
        audience.add(`${twin.info.wsUrl}/?token=${encodeURIComponent(users[(audience.size + index) % users.length]!.token)}`, joinFeed),
      );
      connectMs += performance.now() - started;

      // One untimed event first: connections and handlers warm, as in a live system.
      await audience.time(`warm-${size}`, () => publish({ type: 'ventroom_post_view_updated', data: { post_id: 0, views: 0, bench: `warm-${size}` }, audiences: [groups.feed] }));
      await twin.drain();
      const pipeline: { ms: number; delivered: number }[] = [];
      for (let run = 0; run < RUNS; run++) {
        const marker = `fanout-${size}-${run}-${Date.now()}`;
        pipeline.push(await audience.time(marker, () => publish({ type: 'ventroom_post_view_updated', data: { post_id: 0, views: 0, bench: marker }, audiences: [groups.feed] })));
        await twin.drain();
      }

      const ids: string[] = [];
      for await (const page of groupConnections(groups.feed)) ids.push(...page);
      const management: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        const marker = `mgmt-${size}-${run}-${Date.now()}`;
        const data = new TextEncoder().encode(JSON.stringify(serverMessage('ventroom_post_view_updated', { post_id: 0, views: 0, bench: marker })));
        const limit = pLimit(100);
        const timed = await audience.time(marker, async () => {
          await Promise.all(ids.map((id) => limit(() => api.send(new PostToConnectionCommand({ ConnectionId: id, Data: data })))));
        });
        management.push(timed.ms);
      }

      const rawAudience = new Audience();
      await inParallel(size, CONNECT_CONCURRENCY, () => rawAudience.add(`ws://127.0.0.1:${raw.port}/`));
      const rawTimes: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        const marker = `raw-${size}-${run}-${Date.now()}`;
        const payload = JSON.stringify(serverMessage('ventroom_post_view_updated', { post_id: 0, views: 0, bench: marker }));
        rawTimes.push((await rawAudience.time(marker, async () => void (await fetch(`http://127.0.0.1:${raw.port}/send`, { method: 'POST', body: payload })))).ms);
      }
      await rawAudience.close();

      // DynamoDB cost of one broadcast to this audience: the worker in this process on the same job.
      const job = { message: serverMessage('ventroom_post_view_updated', { post_id: 0, views: 0, bench: 'capacity' }), audiences: [groups.feed] };
      const { calls } = await recordCalls(() => invokeConsumer('BroadcastFanout', [JSON.stringify(job)]));
      await twin.drain();
      const members = await partitionBytes(connectionKeys.groupPartition(groups.feed));
      capacity.push({
        operation: 'broadcast to N members',
        shape: `N = ${size} (ventroom_feed)`,
        readUnits: sum(calls.map((call) => call.readUnits)),
        writeUnits: sum(calls.map((call) => call.writeUnits)),
        rateLimitUnits: 0,
        floorRead: readUnitsFor(members.bytes),
        floorWrite: 0,
        floorNote: `${members.items} memberships, ${members.bytes} B in one read`,
        calls: calls.length,
        stages: stagesOf(calls),
        commands: calls.map((call) => `${call.command}(${call.partitions.join('+')}) ${call.readUnits}R`),
        messages: {},
        reported: { read: sum(calls.map((call) => call.reportedReadUnits)), write: sum(calls.map((call) => call.reportedWriteUnits)) },
        per: 1,
      });

      const pipelineMs = median(pipeline.map((p) => p.ms));
      const managementLoopMs = median(management);
      const rawLoopMs = median(rawTimes);
      const speedVsManagement = managementLoopMs / pipelineMs;
      rows.push({
        sockets: size,
        pipelineMs,
        pipelineDelivered: Math.min(...pipeline.map((p) => p.delivered)),
        managementLoopMs,
        rawLoopMs,
        speedVsManagement,
        speedVsRaw: rawLoopMs / pipelineMs,
        target: { text: '≥0.8x the @connections loop', met: speedVsManagement >= 0.8 },
      });
      log(`fan-out ${size}: pipeline ${pipelineMs.toFixed(0)} ms, @connections loop ${managementLoopMs.toFixed(0)} ms, plain ws loop ${rawLoopMs.toFixed(0)} ms`);
    }
  } finally {
    await audience.close();
    raw.child.kill('SIGTERM');
    api.destroy();
    // Let the twin's $disconnect handlers finish before anything else is measured (or the twin stops).
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline && (await partitionBytes(connectionKeys.groupPartition(groups.feed))).items > 0) {
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  return { rows, capacity, connectSeconds: Math.round(connectMs / 1000), cappedAt };
}

export function fanoutTables(result: FanoutResult): Table[] {
  return [
    {
      title: 'Fan-out: one event to N live WebSocket connections (publish -> queue -> worker -> @connections -> sockets)',
      columns: ['sockets', 'pipeline', 'delivered', 'msg/s', '@connections loop', 'speed vs loop', 'plain ws loop', 'speed vs ws', 'target'],
      rows: result.rows.map((row) => [
        String(row.sockets),
        ms(row.pipelineMs),
        `${row.pipelineDelivered}/${row.sockets}`,
        String(Math.round((row.sockets / row.pipelineMs) * 1000)),
        ms(row.managementLoopMs),
        `${row.speedVsManagement.toFixed(2)}x`,
        ms(row.rawLoopMs),
        `${row.speedVsRaw.toFixed(2)}x`,
        `${row.target.met ? 'met' : 'MISSED'}: ${row.target.text}`,
      ]),
      notes: [
        `Median of ${RUNS} events per size, clocked from publish() to the last socket's arrival. Clients live in the bench process; the twin (gateway + worker) and the plain ws server in their own processes.`,
        '@connections loop: the same PostToConnection calls and client settings (keep-alive, 100 at a time) from a plain loop over the connection ids, without queue or database: in AWS the least any design pays per delivery.',
        'plain ws loop: a bare ws server sending to N sockets in one synchronous loop; unreachable behind API Gateway, shown for scale. speed = baseline time / pipeline time.',
        ...(result.cappedAt ? [`Larger audiences skipped: the open-file limit allows about ${result.cappedAt} sockets per side.`] : []),
        `Connecting and joining the sockets took ${result.connectSeconds} s in all (not part of any timing).`,
      ],
    },
  ];
}

