import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
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
 * A sender bound to one queue, whose URL is read and checked when the module that creates it loads
 * (cold start), from the variable the stack sets for exactly the queues a function may send to.
 */
export function queueSender<T>(queue: QueueName): (message: T, delaySeconds?: number) => Promise<void> {
  const variable = queueUrlVariable(queue);
  const url = readEnv({ [variable]: envUrl() })[variable] as string;
  return async (message: T, delaySeconds?: number) => {
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: queueBody(message), DelaySeconds: delaySeconds }));
  };
}
