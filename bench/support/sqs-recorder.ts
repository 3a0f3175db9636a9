import type { SQSClient } from '@aws-sdk/client-sqs';

/**
 * Counts the messages the handlers in this process send, per queue (`views`, `broadcast`, ...), on
 * their own SQS client: what a read enqueues for the views worker, what a views batch publishes.
 */
const sent = new Map<string, number>();

/** The manifest's queue name for a URL, from the `<QUEUE>_QUEUE_URL` settings the handlers read. */
function queueOf(url: unknown): string {
  for (const [name, value] of Object.entries(process.env)) {
    if (name.endsWith('_QUEUE_URL') && value === url) return name.slice(0, -'_QUEUE_URL'.length).toLowerCase();
  }
  return String(url ?? '').split('/').pop() ?? 'unknown';
}

export function installSqsRecorder(sqs: SQSClient): void {
  sqs.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { QueueUrl?: string; Entries?: unknown[] };
      const count = context.commandName === 'SendMessageBatchCommand' ? (input.Entries?.length ?? 0) : context.commandName === 'SendMessageCommand' ? 1 : 0;
      if (count) sent.set(queueOf(input.QueueUrl), (sent.get(queueOf(input.QueueUrl)) ?? 0) + count);
      return next(args);
    },
    { step: 'initialize', name: 'benchSqsRecorder' },
  );
}

/** Messages sent per queue while `work` ran (handlers run one at a time in the bench process). */
export async function countMessages<T>(work: () => Promise<T>): Promise<{ result: T; messages: Record<string, number> }> {
  const before = new Map(sent);
  const result = await work();
  const messages: Record<string, number> = {};
  for (const [queue, count] of sent) if (count !== (before.get(queue) ?? 0)) messages[queue] = count - (before.get(queue) ?? 0);
  return { result, messages };
}
