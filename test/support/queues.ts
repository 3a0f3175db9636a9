import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import type { TwinInfo } from './global-setup.ts';

/** The test's own SQS client on a twin's queues (fauxqs). */
export function queueClient(info: Pick<TwinInfo, 'endpoints' | 'region'>): SQSClient {
  return new SQSClient({
    region: info.region,
    endpoint: info.endpoints.sqs,
    useQueueUrlAsEndpoint: false,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

/**
 * Sends the cleanup worker's second pass for deleted posts now (in AWS it runs 15 minutes after the
 * first), so a test can check that a deleted post leaves nothing at all behind.
 */
export async function runCleanupSecondPass(info: Pick<TwinInfo, 'endpoints' | 'region' | 'queues'>, postIds: Iterable<number>): Promise<void> {
  const sqs = queueClient(info);
  for (const id of postIds) {
    await sqs.send(
      new SendMessageCommand({ QueueUrl: info.queues.main.cleanup, MessageBody: JSON.stringify({ kind: 'post', post_id: id, media_key: null }) }),
    );
  }
}

/** Sends raw bodies to a queue in one batch (at most ten), so one worker invocation is likely to get them together. */
export async function sendBatch(info: Pick<TwinInfo, 'endpoints' | 'region'>, queueUrl: string, bodies: string[]): Promise<void> {
  const result = await queueClient(info).send(
    new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: bodies.map((body, index) => ({ Id: String(index), MessageBody: body })) }),
  );
  if (result.Failed?.length) throw new Error(`send failed: ${JSON.stringify(result.Failed)}`);
}

/**
 * Waits until a message whose body satisfies `match` shows up in `queueUrl` (a dead-letter queue),
 * deletes it and answers it with its receive count. Messages that do not match are left alone.
 */
export async function awaitMessage(
  info: Pick<TwinInfo, 'endpoints' | 'region'>,
  queueUrl: string,
  match: (body: string) => boolean,
  timeoutMs = 45_000,
): Promise<Message> {
  const sqs = queueClient(info);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 1, MessageSystemAttributeNames: ['All'] }),
    );
    const found = Messages.find((message) => match(message.Body ?? ''));
    if (found) {
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: found.ReceiptHandle! }));
      return found;
    }
  }
  throw new Error(`no matching message in ${queueUrl} within ${timeoutMs} ms`);
}
