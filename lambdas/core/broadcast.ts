import { envUrl, readEnv } from './config.ts';
import type { CounterGuard } from './counters.ts';
import { serverMessage, type ServerMessage } from './messages.ts';
import { sendBatch } from './sqs.ts';
import { logger } from './logger.ts';

/** What travels on the broadcast queue: one event and the groups that should receive it. */
export interface BroadcastJob {
  message: ServerMessage;
  audiences: string[];
  /** Set on chunk jobs: exactly these connections, already resolved and de-duplicated. */
  connection_ids?: string[];
  /** Connections in these groups are left out (they get the event another way). */
  except_audiences?: string[];
  /** A view counter's: dropped instead of delivered once a higher count went out (core/counters.ts). */
  counter_guard?: CounterGuard;
}

export interface Publication {
  type: string;
  data: unknown;
  audiences: string[];
}

const { BROADCAST_QUEUE_URL } = readEnv({ BROADCAST_QUEUE_URL: envUrl() });

/**
 * The one way handlers emit real-time events. It only enqueues (one SQS call for up to ten events);
 * the fan-out worker resolves the groups and delivers, so no handler waits on WebSocket delivery.
 * It never throws: by the time an event is published its write has committed, and a client must
 * not see an error (and retry) for a change that happened. A failure is logged for the alarm.
 */
export async function publish(...publications: Publication[]): Promise<void> {
  try {
    await enqueue(publications);
  } catch (error) {
    logger.error('Broadcast enqueue failed; events dropped', { error: error as Error, types: publications.map((p) => p.type) });
  }
}

async function enqueue(publications: Publication[]): Promise<void> {
  const jobs = publications
    .filter((publication) => publication.audiences.length > 0)
    .map((publication): BroadcastJob => ({
      message: serverMessage(publication.type, publication.data),
      audiences: [...new Set(publication.audiences)],
    }));
  await sendBatch(BROADCAST_QUEUE_URL, jobs);
}
