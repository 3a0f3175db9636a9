import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { vi } from 'vitest';
import { sqs } from '../../lambdas/core/sqs.ts';

/**
 * Watches (without changing) every SendMessage the handlers' SQS client makes in this test process,
 * parsed, until `vi.restoreAllMocks()`: what a request handed to a queue, not just what it answered.
 */
export function watchSentMessages<T = any>(): T[] {
  const sent: T[] = [];
  const send = sqs.send.bind(sqs);
  vi.spyOn(sqs, 'send').mockImplementation((async (command: unknown) => {
    if (command instanceof SendMessageCommand) sent.push(JSON.parse(command.input.MessageBody!) as T);
    return send(command as never);
  }) as never);
  return sent;
}
