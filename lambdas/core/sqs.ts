import { SQSClient, SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { envUrl, readEnv } from './config.ts';
import { queueUrlVariable, type QueueName } from '../manifest.ts';

// Send to the client's own (regional or configured) endpoint, not the host inside a queue URL:
// emulators hand out URLs whose hosts (sqs.us-east-1.localhost) need not resolve.
export const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });

/**
 * JSON with every non-ASCII character escaped. SQS refuses some characters (U+FFFE, U+FFFF, and
 * emulators even astral ones); escaped, any text a user wrote travels and parses back unchanged.
 */
export function queueBody(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * The URL of a queue a function may send to, read and checked when the module that binds a sender
 * loads (cold start), from the variable the stack sets for exactly those queues.
 */
function boundQueueUrl(queue: QueueName): string {
  const variable = queueUrlVariable(queue);
  return readEnv({ [variable]: envUrl() })[variable] as string;
}

/** A sender bound to one queue (its URL checked at cold start). */
export function queueSender<T>(queue: QueueName): (message: T, delaySeconds?: number) => Promise<void> {
  const url = boundQueueUrl(queue);
  return async (message: T, delaySeconds?: number) => {
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: queueBody(message), DelaySeconds: delaySeconds }));
  };
}

/** A batch sender bound to one queue (see queueSender): one SendMessageBatch per ten messages. */
export function queueBatchSender<T>(queue: QueueName): (messages: T[], delaySeconds?: number[]) => Promise<void> {
  const url = boundQueueUrl(queue);
  return (messages: T[], delaySeconds?: number[]) => sendBatch(url, messages, delaySeconds);
}

/** SQS's limits on one SendMessageBatch: ten entries, and 1 MiB of bodies in all (one message: the same). */
export const MAX_BATCH_ENTRIES = 10;
export const MAX_BATCH_BYTES = 1_048_576;

/**
 * Bodies grouped into SendMessageBatch calls of at most ten entries and 1 MiB of UTF-8 in all, in
 * order. Escaped text (queueBody) is six bytes a character, so ten large fan-out chunks can pass
 * 1 MiB long before they reach ten; a body that alone is over the limit cannot be sent at all.
 */
export function packBatches(bodies: string[]): string[][] {
  const batches: string[][] = [];
  let current: string[] = [];
  let bytes = 0;
  for (const body of bodies) {
    const size = Buffer.byteLength(body, 'utf8');
    if (size > MAX_BATCH_BYTES) throw new Error(`A queue message of ${size} bytes is over SQS's ${MAX_BATCH_BYTES}`);
    if (current.length === MAX_BATCH_ENTRIES || bytes + size > MAX_BATCH_BYTES) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(body);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * Sends messages in batches (packBatches). SendMessageBatch can refuse single entries while taking
 * the rest; those are sent again (with backoff) rather than failing the whole call, so a caller that
 * retries on a throw re-sends as little as possible. `delaySeconds`, by message, holds each one back
 * (SQS: whole seconds, at most 900).
 */
export async function sendBatch(queueUrl: string, messages: unknown[], delaySeconds?: number[]): Promise<void> {
  let sent = 0;
  for (const batch of packBatches(messages.map(queueBody))) {
    const first = sent;
    sent += batch.length;
    let pending = batch.map((MessageBody, index) => ({ Id: String(index), MessageBody, DelaySeconds: delaySeconds?.[first + index] }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= 5) throw new Error(`SQS refused ${pending.length} message(s) five times`);
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
      const result = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: pending }));
      const refused = new Set((result.Failed ?? []).map((failure) => failure.Id));
      pending = pending.filter((entry) => refused.has(entry.Id));
    }
  }
}
