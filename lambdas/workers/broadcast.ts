import { ApiGatewayManagementApiClient, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import pLimit from 'p-limit';
import type { BroadcastJob } from '../core/broadcast.ts';
import { envInt, envUrl, readEnv } from '../core/config.ts';
import type { CounterJob } from '../core/counters.ts';
import { groups } from '../core/groups.ts';
import { feedCounterAudience, flushCounters } from '../domain/counter-flush.ts';
import { noteForDigest, runDigest, type DigestJob } from '../domain/digest.ts';
import { framed, stampEvent } from '../domain/history.ts';
import { budgetPace, pacedChunkSize, pacedDelays, type Pace } from '../domain/pacing.ts';
import type { Positions, ServerMessage } from '../core/messages.ts';
import { logger } from '../core/logger.ts';
import { sqsConsumer } from '../core/sqs-batch.ts';
import { isRedelivery } from '../core/sqs-record.ts';
import { sendBatch } from '../core/sqs.ts';
import { groupMembers, removeConnection } from '../repositories/connections.ts';
import { sentCount } from '../repositories/counters.ts';

const config = readEnv({
  WS_MANAGEMENT_ENDPOINT: envUrl(),
  BROADCAST_QUEUE_URL: envUrl(),
  /** Connections one invocation delivers to; a bigger audience is split into chunk jobs run in parallel. */
  BROADCAST_CHUNK_SIZE: envInt(1000),
  /** Concurrent PostToConnection calls per invocation. */
  BROADCAST_CONCURRENCY: envInt(100),
});

/** How long a new connection may answer 410 (its $connect still running) before it counts as vanished. */
const CONNECTING_GRACE_SECONDS = 10;

const api = new ApiGatewayManagementApiClient({
  endpoint: config.WS_MANAGEMENT_ENDPOINT,
  requestHandler: { httpAgent: { keepAlive: true, maxSockets: config.BROADCAST_CONCURRENCY }, httpsAgent: { keepAlive: true, maxSockets: config.BROADCAST_CONCURRENCY } },
});

interface Audience {
  /** The protocol-1 connections, each once, in sets by the job's groups they are in (their frames carry those groups' positions). */
  sets: { groups: string[]; connectionIds: string[] }[];
  /** Of each group, how many connections it has in all and how many speak protocol 2. */
  sizes: Map<string, { all: number; protocol2: number }>;
}

async function members(groups: string[]): Promise<{ groupsOf: Map<string, string[]>; sizes: Audience['sizes'] }> {
  const groupsOf = new Map<string, string[]>();
  const sizes: Audience['sizes'] = new Map();
  for (const group of groups) {
    const size = { all: 0, protocol2: 0 };
    sizes.set(group, size);
    for await (const page of groupMembers(group)) {
      for (const { connectionId, protocol } of page) {
        size.all++;
        // Protocol-2 connections get the group's events in its digests (domain/digest.ts).
        if (protocol === 2) size.protocol2++;
        else groupsOf.set(connectionId, [...(groupsOf.get(connectionId) ?? []), group]);
      }
    }
  }
  return { groupsOf, sizes };
}

/**
 * Every protocol-1 connection of the job's groups, each once even if it sits in several of them,
 * minus those of its excepted groups; and the size of each group.
 */
async function resolveAudience(job: BroadcastJob): Promise<Audience> {
  const { groupsOf: everyone, sizes } = await members(job.audiences);
  if (job.except_audiences?.length) for (const id of (await members(job.except_audiences)).groupsOf.keys()) everyone.delete(id);
  const bySet = new Map<string, { groups: string[]; connectionIds: string[] }>();
  for (const [id, groups] of everyone) {
    const key = groups.join('\u0000');
    const set = bySet.get(key) ?? bySet.set(key, { groups, connectionIds: [] }).get(key)!;
    set.connectionIds.push(id);
  }
  return { sets: [...bySet.values()], sizes };
}

/** The job's event (or changed count) goes into the digest of each of its groups that has protocol-2 members. */
async function noteDigests(job: BroadcastJob, positions: Positions | undefined, sizes: Audience['sizes']): Promise<void> {
  await Promise.all(
    [...sizes].map(async ([group, size]) => {
      if (size.protocol2 === 0) return;
      const offset = positions?.[group]?.offset;
      if (job.counter_guard) await noteForDigest(group, { postId: job.counter_guard.post_id }, size.all);
      else if (offset !== undefined) await noteForDigest(group, { offset }, size.all);
    }),
  );
}

/** Posts to each connection with bounded concurrency; answers the ones that failed for a retry. */
async function deliver(payload: string, connectionIds: string[]): Promise<string[]> {
  const limit = pLimit(config.BROADCAST_CONCURRENCY);
  const data = new TextEncoder().encode(payload);
  const failed: string[] = [];
  await Promise.all(
    connectionIds.map((connectionId) =>
      limit(async () => {
        try {
          await api.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: data }));
        } catch (error) {
          if ((error as Error).name === 'GoneException') {
            // The client vanished without a $disconnect: forget it now, not at its TTL (unless it is
            // still being connected: its $connect stored it before API Gateway let it receive).
            await removeConnection(connectionId, { unlessYoungerThanSeconds: CONNECTING_GRACE_SECONDS }).catch((cleanup) =>
              logger.warn('Stale connection cleanup failed', { connectionId, error: cleanup as Error }),
            );
          } else {
            failed.push(connectionId);
            logger.warn('PostToConnection failed', { connectionId, error: error as Error });
          }
        }
      }),
    ),
  );
  return failed;
}

function chunk<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

/**
 * One event. A job names groups (resolved here, each connection once) or, as a chunk job, a ready
 * list of connections. An audience larger than one chunk is handed out entirely as chunk jobs, run
 * by parallel invocations; this job then delivers nothing itself, so if it fails and is retried no
 * connection was sent the event yet. Delivery never sends a connection the event twice: when all
 * deliveries of a job fail, the job fails and SQS retries it (then the DLQ); when only some fail,
 * just those go back on the queue as a chunk job.
 */
async function handleJob(job: BroadcastJob, flush: { pace?: Pace } = {}): Promise<void> {
  if (job.connection_ids) return deliverAll([{ ...job, connection_ids: job.connection_ids }]);
  // View counters are state, not history: the next flush carries the latest count.
  const positions = job.counter_guard ? undefined : await stampEvent(job.message, job.audiences);
  const { sets, sizes } = await resolveAudience(job);
  await noteDigests(job, positions, sizes);
  const audience = sets.reduce((sum, set) => sum + set.connectionIds.length, 0);
  if (job.counter_guard?.audience === 'feed') {
    const whole = sizes.get(job.audiences[0]!)?.all ?? audience;
    // Best effort: a window sized from an older audience is still a window. Sized from the whole
    // feed: protocol-2 digests spend the same budget.
    await feedCounterAudience(whole).catch((error) => logger.warn('Recording the feed audience failed', { error: error as Error }));
    // The window keeps the budget on average; the pace keeps it in every second. The contract
    // clients' share of the feed is their share of the budget (the digests pace the rest).
    flush.pace ??= budgetPace(audience / Math.max(1, whole));
  }
  const jobs = sets.map((set) => ({ ...job, message: framed(job.message, positions, set.groups), connection_ids: set.connectionIds }));
  await deliverOrSplit(jobs, audience, flush.pace);
}

/**
 * Delivers now, or, for an audience larger than one chunk, hands it all out as chunk jobs; paced
 * ones are held back (SQS delays) so their calls keep the pace's rate in every second.
 */
async function deliverOrSplit(jobs: ChunkJob[], audience: number, paced?: Pace): Promise<void> {
  const size = paced ? pacedChunkSize(config.BROADCAST_CHUNK_SIZE, paced) : config.BROADCAST_CHUNK_SIZE;
  const chunks = jobs.flatMap((one) => chunk(one.connection_ids, size).map((ids) => ({ ...one, connection_ids: ids })));
  const delays = paced ? pacedDelays(chunks.map((one) => one.connection_ids.length), paced) : undefined;
  if (audience <= size && !delays?.some((delay) => delay > 0)) return deliverAll(jobs);
  await sendBatch(config.BROADCAST_QUEUE_URL, chunks, delays);
}

/** A due protocol-2 digest: its batch frame to the group's protocol-2 members. */
async function handleDigest(job: DigestJob): Promise<void> {
  await runDigest(job, async (frame) => {
    const connectionIds: string[] = [];
    let everyone = 0;
    for await (const page of groupMembers(job.digest)) {
      everyone += page.length;
      for (const member of page) if (member.protocol === 2) connectionIds.push(member.connectionId);
    }
    // The feed's digests spend the protocol-2 share of the budget, in every second.
    const paced = job.digest === groups.feed ? budgetPace(connectionIds.length / Math.max(1, everyone)) : undefined;
    await deliverOrSplit([{ message: JSON.parse(frame) as ServerMessage, audiences: [job.digest], connection_ids: connectionIds }], connectionIds.length, paced);
  });
}

type ChunkJob = BroadcastJob & { connection_ids: string[] };

/** Each job's frame to each of its connections (one job per set of groups the connections are in). */
async function deliverAll(jobs: ChunkJob[]): Promise<void> {
  const outcomes = await Promise.all(jobs.map(async (one) => ({ one, failed: await deliverChunk(one) })));
  const failedCount = outcomes.reduce((sum, { failed }) => sum + failed.length, 0);
  if (failedCount === 0) return;
  const targetCount = jobs.reduce((sum, one) => sum + one.connection_ids.length, 0);
  if (failedCount === targetCount) throw new Error(`Delivery failed to all ${failedCount} connections`);
  try {
    await sendBatch(config.BROADCAST_QUEUE_URL, outcomes.filter(({ failed }) => failed.length).map(({ one, failed }) => ({ ...one, connection_ids: failed })));
  } catch (error) {
    // Failing the job now would send the event again to every connection that already has it.
    logger.error('Could not re-enqueue failed deliveries; they are dropped', { count: failedCount, error: error as Error });
  }
}

/** The connections a chunk's delivery failed for (none when a late view counter is dropped). */
async function deliverChunk(job: ChunkJob): Promise<string[]> {
  if (job.counter_guard) {
    // A late chunk of a view counter: once a higher count went out to its audience, it must not follow.
    const { post_id, audience, views } = job.counter_guard;
    if ((await sentCount(post_id, audience)) > views) return [];
  }
  if (job.connection_ids.length === 0) return [];
  return deliver(JSON.stringify(job.message), job.connection_ids);
}

/** A due view-counter flush (core/counters.ts) turns into counter events, delivered like any other. */
async function handleCounterFlush(job: CounterJob, redelivered: boolean): Promise<void> {
  // One pace for the flush: its posts' deliveries follow one another within the budget.
  const flush: { pace?: Pace } = {};
  for (const counterJob of await flushCounters(job, Date.now(), redelivered)) {
    try {
      await handleJob(counterJob, flush);
    } catch (error) {
      // Its own job from now on, retried like any other; the flush is done and the next one is claimable.
      logger.warn('Counter delivery failed; queued for a retry', { error: error as Error });
      await sendBatch(config.BROADCAST_QUEUE_URL, [counterJob]);
    }
  }
}

export const handler = sqsConsumer('BroadcastFanout', async (record) => {
  const job = JSON.parse(record.body) as BroadcastJob | CounterJob | DigestJob;
  if ('digest' in job) return handleDigest(job);
  await ('counter' in job ? handleCounterFlush(job, isRedelivery(record)) : handleJob(job));
});
