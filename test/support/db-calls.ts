import { db } from '../../lambdas/core/db.ts';

export interface DbCall {
  /** e.g. QueryCommand, TransactWriteItemsCommand. */
  command: string;
  /** The marshalled input (attribute values typed: {S: '...'}). */
  input: Record<string, any>;
}

let sequence = 0;

/**
 * Watches, without changing, every call the handlers' DocumentClient makes in this test process
 * until `stop()`: how a test proves how much work a request did (not just what it answered).
 */
export function watchDbCalls(): { calls: DbCall[]; stop(): void } {
  const calls: DbCall[] = [];
  const name = `watch-db-calls-${++sequence}`;
  db.middlewareStack.add(
    (next, context) => async (args) => {
      calls.push({ command: String(context.commandName), input: args.input as Record<string, any> });
      return next(args);
    },
    { step: 'initialize', name, priority: 'low' },
  );
  return { calls, stop: () => void db.middlewareStack.remove(name) };
}
