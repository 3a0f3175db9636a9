import { ApiGatewayManagementApiClient, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import pLimit from 'p-limit';
import type { BroadcastJob } from '../core/broadcast.ts';
import { envInt, envUrl, readEnv } from '../core/config.ts';
import { logger } from '../core/logger.ts';
import { sqsConsumer } from '../core/sqs-batch.ts';
import { queueBody, sqs } from '../core/sqs.ts';
import { groupConnections, removeConnection } from '../repositories/connections.ts';

const config = readEnv({
  WS_MANAGEMENT_ENDPOINT: envUrl(),
  BROADCAST_QUEUE_URL: envUrl(),
  /** Connections one invocation delivers to; a bigger audience is split into chunk jobs run in parallel. */
  BROADCAST_CHUNK_SIZE: envInt(1000),
  /** Concurrent PostToConnection calls per invocation. */
  BROADCAST_CONCURRENCY: envInt(100),
});

const api = new ApiGatewayManagementApiClient({
  endpoint: config.WS_MANAGEMENT_ENDPOINT,
  requestHandler: { httpAgent: { keepAlive: true, maxSockets: config.BROADCAST_CONCURRENCY }, httpsAgent: { keepAlive: true, maxSockets: config.BROADCAST_CONCURRENCY } },
});

/** Every connection of the job's groups, each once even if it sits in several of them. */
async function resolveAudience(groups: string[]): Promise<string[]> {
  const unique = new Set<string>();
  for (const group of groups) {
    for await (const page of groupConnections(group)) for (const id of page) unique.add(id);
  }
  return [...unique];
}

async function enqueueChunks(jobs: BroadcastJob[]): Promise<void> {
  for (let start = 0; start < jobs.length; start += 10) {
    const batch = jobs.slice(start, start + 10);
    const result = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: config.BROADCAST_QUEUE_URL,
        Entries: batch.map((job, index) => ({ Id: String(index), MessageBody: queueBody(job) })),
      }),
    );
    if (result.Failed?.length) throw new Error(`Could not enqueue ${result.Failed.length} broadcast chunks`);
  }
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
            // The client vanished without a $disconnect: forget it now, not at its TTL.
            await removeConnection(connectionId).catch((cleanup) => logger.warn('Stale connection cleanup failed', { connectionId, error: cleanup as Error }));
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
 * One event: resolve its groups (or take a chunk's ready list), split a large audience into chunk
 * jobs for parallel invocations, deliver. A connection that already got the event is never sent it
 * again: when only some deliveries fail, just those are re-enqueued; when all fail, the record fails
 * and SQS retries it (then the DLQ).
 */
async function handleJob(job: BroadcastJob): Promise<void> {
  let targets = job.connection_ids;
  if (!targets) {
    const everyone = await resolveAudience(job.audiences);
    const [first = [], ...rest] = chunk(everyone, config.BROADCAST_CHUNK_SIZE);
    await enqueueChunks(rest.map((ids) => ({ ...job, connection_ids: ids })));
    targets = first;
  }
  if (targets.length === 0) return;
  const failed = await deliver(JSON.stringify(job.message), targets);
  if (failed.length === 0) return;
  if (failed.length === targets.length) throw new Error(`Delivery failed to all ${failed.length} connections`);
  await enqueueChunks([{ ...job, connection_ids: failed }]);
}

export const handler = sqsConsumer('BroadcastFanout', async (record) => {
  await handleJob(JSON.parse(record.body) as BroadcastJob);
});
