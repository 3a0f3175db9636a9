import { CreateQueueCommand, DeleteQueueCommand, ReceiveMessageCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_BATCH_BYTES, packBatches, queueBody, sendBatch, sqs } from '../../lambdas/core/sqs.ts';

/**
 * Hardening item 10: ten fan-out chunk jobs of a big audience with non-ASCII text pass SQS's 1 MiB
 * batch limit (escaped, a character is six bytes). fauxqs enforces the limit as SQS does.
 */
let queueUrl: string | undefined;
afterEach(async () => {
  if (queueUrl) await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
  queueUrl = undefined;
});

describe('SendMessageBatch stays inside 1 MiB (hardening item 10)', () => {
  it('ten chunk-sized jobs of emoji text go out in as many calls as it takes, every message arriving once', async () => {
    ({ QueueUrl: queueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `batch-size-${Date.now()}` })));
    // About 7,000 connection ids' worth of job with a post of emoji: ~130 KB escaped per message, 1.3 MB in all.
    const jobs = Array.from({ length: 10 }, (_, i) => ({ n: i, connection_ids: Array.from({ length: 700 }, (_, c) => `conn-${i}-${c}-AbCdEfGhIj=`), text: '😢 '.repeat(9_000) }));
    const sizes = jobs.map((job) => Buffer.byteLength(queueBody(job)));
    expect(sizes.reduce((a, b) => a + b, 0)).toBeGreaterThan(MAX_BATCH_BYTES);
    const calls: number[] = [];
    const watch = 'watch-batch-calls';
    sqs.middlewareStack.add((next, context) => async (args) => {
      if (context.commandName === 'SendMessageBatchCommand') calls.push((args.input as SendMessageBatchCommand['input']).Entries!.length);
      return next(args);
    }, { step: 'initialize', name: watch });
    try {
      await sendBatch(queueUrl!, jobs);
    } finally {
      sqs.middlewareStack.remove(watch);
    }
    expect(calls.length).toBeGreaterThan(1);
    expect(calls.reduce((a, b) => a + b, 0)).toBe(10);
    const seen: number[] = [];
    while (seen.length < 10) {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      if (Messages.length === 0) break;
      seen.push(...Messages.map((m) => (JSON.parse(m.Body!) as { n: number }).n));
    }
    expect(seen.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('packs by count and by bytes, in order, and refuses a single body over the limit', () => {
    expect(packBatches(Array.from({ length: 25 }, (_, i) => String(i))).map((b) => b.length)).toEqual([10, 10, 5]);
    const big = 'x'.repeat(400_000);
    expect(packBatches([big, big, big, 'y']).map((b) => b.length)).toEqual([2, 2]);
    expect(() => packBatches(['x'.repeat(MAX_BATCH_BYTES + 1)])).toThrow(/over SQS/);
  });
});
