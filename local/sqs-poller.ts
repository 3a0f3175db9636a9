import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type Message,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import type { Consumer } from '../lambdas/manifest.ts';
import { sqsRecord } from './lambda-events.ts';
import { invoke, type LambdaHandler } from './lambda-runtime.ts';

/**
 * Lambda's SQS event source mapping, emulated: up to `batchSize` messages gathered for at most the
 * batching window, one invocation per batch, ReportBatchItemFailures (only the reported messages stay
 * on the queue; a thrown error or a malformed report fails the whole batch), redelivery after the
 * visibility timeout, and the queue's own redrive policy moving a message to its DLQ after
 * maxReceiveCount receives. Several batches run at once, as Lambda scales pollers.
 */
export interface PollerOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  region: string;
  consumer: Consumer;
  handler: LambdaHandler;
  parallelism: number;
  /**
   * When set, a failed message becomes visible again after this many seconds instead of after the
   * queue's visibility timeout: a test speed-up, off by default (AWS semantics).
   */
  retryDelaySeconds?: number;
  /**
   * Fault injection, off by default (1): every message is handed to the consumer this many times.
   * SQS delivers at least once, so consumers must already cope; this makes "more than once" the rule.
   * The extra copies go back on the queue as messages of their own (marked, so they are not copied
   * again) and are received by whichever poller comes first, often while the original still runs.
   */
  deliveryCopies?: number;
  onError?: (error: unknown) => void;
}

/** Marks a message the poller put back as an extra delivery; never shown to the handler. */
export const COPY_ATTRIBUTE = 'VentroomDeliveryCopy';

export interface Poller {
  /** Batches being handled right now. */
  busy(): number;
  stop(): Promise<void>;
}

function record(message: Message, options: PollerOptions): SQSRecord {
  const attributes = message.Attributes ?? {};
  return sqsRecord({
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body ?? '',
    receiveCount: Number(attributes.ApproximateReceiveCount ?? 1),
    sentTimestamp: attributes.SentTimestamp,
    firstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp,
    senderId: attributes.SenderId,
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {})
        .filter(([name]) => name !== COPY_ATTRIBUTE)
        .map(([name, value]) => [
          name,
          {
            dataType: value.DataType ?? 'String',
            stringValue: value.StringValue,
            binaryValue: value.BinaryValue ? Buffer.from(value.BinaryValue).toString('base64') : undefined,
            stringListValues: [],
            binaryListValues: [],
          },
        ]),
    ),
    md5OfBody: message.MD5OfBody,
    queueArn: options.queueArn,
    region: options.region,
  });
}

/** Which messages of a batch failed, per the ReportBatchItemFailures contract. */
function failedIds(result: unknown, batch: Message[]): Set<string> {
  const all = new Set(batch.map((m) => m.MessageId!));
  if (result === undefined || result === null) return new Set();
  const failures = (result as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return new Set();
  if (!Array.isArray(failures)) return all;
  const ids = new Set<string>();
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown })?.itemIdentifier;
    // Lambda treats an empty or unknown identifier as a failure of the whole batch.
    if (typeof id !== 'string' || !all.has(id)) return all;
    ids.add(id);
  }
  return ids;
}

export function startPoller(options: PollerOptions): Poller {
  const { consumer, sqs } = options;
  let busy = 0;
  let stopped = false;

  const receive = async (max: number, waitSeconds: number): Promise<Message[]> => {
    const result = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: Math.min(10, max),
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    return result.Messages ?? [];
  };

  const gather = async (): Promise<Message[]> => {
    const batch: Message[] = [];
    let deadline = 0;
    while (!stopped && batch.length < consumer.batchSize) {
      const remainingMs = batch.length === 0 ? 1000 : deadline - Date.now();
      if (batch.length > 0 && remainingMs <= 0) break;
      let messages: Message[];
      try {
        messages = await receive(consumer.batchSize - batch.length, Math.min(1, Math.ceil(remainingMs / 1000)));
      } catch (error) {
        // Messages already taken must not be dropped (they would hide for the visibility timeout).
        if (batch.length > 0) break;
        throw error;
      }
      if (messages.length > 0 && batch.length === 0) deadline = Date.now() + consumer.maxBatchingWindowSeconds * 1000;
      batch.push(...messages);
      if (batch.length > 0 && consumer.maxBatchingWindowSeconds === 0) break;
    }
    return batch;
  };

  /** Puts `deliveryCopies - 1` marked copies of each original message of the batch back on the queue. */
  const duplicate = async (batch: Message[]) => {
    const copies = Math.max(1, options.deliveryCopies ?? 1) - 1;
    if (copies === 0) return;
    const entries = batch
      .filter((m) => !m.MessageAttributes?.[COPY_ATTRIBUTE])
      .flatMap((m) =>
        Array.from({ length: copies }, (_, k) => ({
          Id: `${m.MessageId!.replace(/[^A-Za-z0-9_-]/g, '')}-${k}`.slice(-80),
          MessageBody: m.Body ?? '',
          MessageAttributes: {
            ...(m.MessageAttributes as Record<string, MessageAttributeValue> | undefined),
            [COPY_ATTRIBUTE]: { DataType: 'String', StringValue: String(k + 2) },
          },
        })),
      );
    for (let i = 0; i < entries.length; i += 10) {
      await sqs.send(new SendMessageBatchCommand({ QueueUrl: options.queueUrl, Entries: entries.slice(i, i + 10) }));
    }
  };

  const settle = async (batch: Message[], failed: Set<string>) => {
    const done = batch.filter((m) => !failed.has(m.MessageId!));
    for (let i = 0; i < done.length; i += 10) {
      const slice = done.slice(i, i + 10);
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: options.queueUrl,
          Entries: slice.map((m, index) => ({ Id: String(index), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
    }
    if (options.retryDelaySeconds === undefined) return;
    const retry = batch.filter((m) => failed.has(m.MessageId!));
    for (let i = 0; i < retry.length; i += 10) {
      const slice = retry.slice(i, i + 10);
      await sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: options.queueUrl,
          Entries: slice.map((m, index) => ({
            Id: String(index),
            ReceiptHandle: m.ReceiptHandle!,
            VisibilityTimeout: options.retryDelaySeconds!,
          })),
        }),
      );
    }
  };

  /**
   * Makes messages visible again (almost) at once: a stopping poller hands back what it has not
   * started. One second rather than zero: fauxqs 2.4 with a data directory fails a change to 0 (it
   * writes NULL into a NOT NULL column) and the message then stays hidden for its visibility timeout.
   */
  const release = async (batch: Message[]) => {
    for (let i = 0; i < batch.length; i += 10) {
      await sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: options.queueUrl,
          Entries: batch.slice(i, i + 10).map((m, index) => ({ Id: String(index), ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: 1 })),
        }),
      );
    }
  };

  const loop = async () => {
    while (!stopped) {
      try {
        const batch = await gather();
        if (batch.length === 0) continue;
        if (stopped) {
          // Received during a batching window cut short by stop(): without this they would stay
          // invisible for the whole visibility timeout (minutes) after a restart.
          await release(batch);
          return;
        }
        busy += 1;
        try {
          await duplicate(batch).catch((error) => options.onError?.(error));
          const event: SQSEvent = { Records: batch.map((m) => record(m, options)) };
          let failed: Set<string>;
          try {
            failed = failedIds(await invoke(options.handler, event, consumer.id, consumer.timeoutSeconds), batch);
          } catch (error) {
            options.onError?.(error);
            failed = new Set(batch.map((m) => m.MessageId!));
          }
          await settle(batch, failed);
        } finally {
          busy -= 1;
        }
      } catch (error) {
        if (stopped) return;
        options.onError?.(error);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  };

  const loops = Array.from({ length: options.parallelism }, () => loop());
  return {
    busy: () => busy,
    async stop() {
      // Receives are short polls (at most 1 s): let them finish rather than abort them, since an
      // aborted receive may already have taken messages off the queue for the visibility timeout.
      stopped = true;
      await Promise.allSettled(loops);
    },
  };
}
