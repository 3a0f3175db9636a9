import { ApiGatewayManagementApiClient, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import pLimit from 'p-limit';
import type { BroadcastJob } from '../core/broadcast.ts';
import { envInt, envUrl, readEnv } from '../core/config.ts';
import type { CounterJob } from '../core/counters.ts';
import { feedCounterAudience, flushCounters } from '../domain/counter-flush.ts';
import { logger } from '../core/logger.ts';
import { sqsConsumer } from '../core/sqs-batch.ts';
import { sendBatch } from '../core/sqs.ts';
import { groupConnections, removeConnection } from '../repositories/connections.ts';
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

async function members(groups: string[]): Promise<Set<string>> {
  const unique = new Set<string>();
  for (const group of groups) {
    for await (const page of groupConnections(group)) for (const id of page) unique.add(id);
  }
  return unique;
}

/** Every connection of the job's groups, each once even if it sits in several of them, minus those of its excepted groups. */
async function resolveAudience(job: BroadcastJob): Promise<string[]> {
  const everyone = await members(job.audiences);
  if (job.except_audiences?.length) for (const id of await members(job.except_audiences)) everyone.delete(id);
  return [...everyone];
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
async function handleJob(job: BroadcastJob): Promise<void> {
  let targets = job.connection_ids;
  if (targets && job.counter_guard) {
    // A late chunk of a view counter: once a higher count went out to its audience, it must not follow.
    const { post_id, audience, views } = job.counter_guard;
    if ((await sentCount(post_id, audience)) > views) return;
  }
  if (!targets) {
    const everyone = await resolveAudience(job);
    if (job.counter_guard?.audience === 'feed') {
      // Best effort: a window sized from an older audience is still a window.
      await feedCounterAudience(everyone.length).catch((error) => logger.warn('Recording the feed audience failed', { error: error as Error }));
    }
    if (everyone.length > config.BROADCAST_CHUNK_SIZE) {
      await sendBatch(config.BROADCAST_QUEUE_URL, chunk(everyone, config.BROADCAST_CHUNK_SIZE).map((ids) => ({ ...job, connection_ids: ids })));
      return;
    }
    targets = everyone;
  }
  if (targets.length === 0) return;
  const failed = await deliver(JSON.stringify(job.message), targets);
  if (failed.length === 0) return;
  if (failed.length === targets.length) throw new Error(`Delivery failed to all ${failed.length} connections`);
  try {
    await sendBatch(config.BROADCAST_QUEUE_URL, [{ ...job, connection_ids: failed }]);
  } catch (error) {
    // Failing the job now would send the event again to every connection that already has it.
    logger.error('Could not re-enqueue failed deliveries; they are dropped', { count: failed.length, error: error as Error });
  }
}

/** A due view-counter flush (core/counters.ts) turns into counter events, delivered like any other. */
async function handleCounterFlush(job: CounterJob): Promise<void> {
  for (const counterJob of await flushCounters(job)) {
    try {
      await handleJob(counterJob);
    } catch (error) {
      // Its own job from now on, retried like any other; the flush is done and the next one is claimable.
      logger.warn('Counter delivery failed; queued for a retry', { error: error as Error });
      await sendBatch(config.BROADCAST_QUEUE_URL, [counterJob]);
    }
  }
}

export const handler = sqsConsumer('BroadcastFanout', async (record) => {
  const job = JSON.parse(record.body) as BroadcastJob | CounterJob;
  await ('counter' in job ? handleCounterFlush(job) : handleJob(job));
});
