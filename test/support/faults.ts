import { ProvisionedThroughputExceededException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { db } from '../../lambdas/core/db.ts';

/**
 * DynamoDB faults DynamoDB Local cannot be made to produce on demand, injected into the handlers' own
 * DocumentClient (`db` of lambdas/core/db.ts) in this test process. The middleware sits inside the
 * SDK's retry loop (the deserialize step, per attempt), so the SDK's own retries see the fault
 * exactly as they would see DynamoDB's answer.
 *
 * - `throttle`: ProvisionedThroughputExceededException before the call reaches DynamoDB.
 * - `conflict`: TransactionCanceledException with a TransactionConflict reason (another transaction
 *   touched one of the items) before the call reaches DynamoDB.
 * - `lostResponse`: the call reaches DynamoDB and commits, then the answer is lost on the way back
 *   (a timeout: the SDK retries the very same request).
 * - `crash`: the call commits, then the code that made it dies (a plain error, not retried): the
 *   "process died between two steps" case for workers.
 */
export type FaultKind = 'throttle' | 'conflict' | 'lostResponse' | 'crash';

export interface FaultPlan {
  kind: FaultKind;
  /** Which DynamoDB operations, e.g. ['TransactWriteItems'] (default: every call). */
  operations?: string[];
  /** Further filter on the command input (marshalled: attribute values are typed, e.g. {S: '...'}). */
  when?: (input: Record<string, any>) => boolean;
  /** How many matching calls fail (the ones after that succeed); Infinity for "always". */
  times: number;
  /** Matching calls to let through before the first fault. */
  skip?: number;
}

export interface InjectedFault {
  /** Faults injected so far. */
  readonly injected: number;
  /** Matching calls seen (faulted or not). */
  readonly seen: number;
  remove(): void;
}

let sequence = 0;
const totals: Record<FaultKind, number> = { throttle: 0, conflict: 0, lostResponse: 0, crash: 0 };

/** Faults injected so far in this test file, by kind (for the report a suite prints). */
export function injectedTotals(): Record<FaultKind, number> {
  return { ...totals };
}

function errorFor(kind: FaultKind, input: Record<string, any>): Error {
  const $metadata = { httpStatusCode: 400, requestId: 'injected-fault', attempts: 1, totalRetryDelay: 0 };
  switch (kind) {
    case 'throttle':
      return new ProvisionedThroughputExceededException({
        message: 'The level of configured provisioned throughput for the table was exceeded (injected).',
        $metadata,
      });
    case 'conflict': {
      const items = Array.isArray(input.TransactItems) ? input.TransactItems.length : 1;
      const reasons = Array.from({ length: items }, (_, index) =>
        index === 0 ? { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' } : { Code: 'None' },
      );
      return new TransactionCanceledException({
        message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}] (injected)`,
        CancellationReasons: reasons,
        $metadata,
      });
    }
    case 'lostResponse':
      return Object.assign(new Error('Socket timed out after the request was sent (injected)'), { name: 'TimeoutError' });
    case 'crash':
      return new Error('Injected crash after a committed write');
  }
}

export function injectDbFault(plan: FaultPlan): InjectedFault {
  const name = `injectedFault${++sequence}`;
  let seen = 0;
  let injected = 0;
  db.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = String(context.commandName ?? '').replace(/Command$/, '');
      const input = args.input as Record<string, any>;
      if (plan.operations && !plan.operations.includes(operation)) return next(args);
      if (plan.when && !plan.when(input)) return next(args);
      seen += 1;
      if (seen <= (plan.skip ?? 0) || injected >= plan.times) return next(args);
      injected += 1;
      totals[plan.kind] += 1;
      if (plan.kind === 'throttle' || plan.kind === 'conflict') throw errorFor(plan.kind, input);
      await next(args);
      throw errorFor(plan.kind, input);
    },
    { step: 'deserialize', priority: 'high', name },
  );
  return {
    get injected() {
      return injected;
    },
    get seen() {
      return seen;
    },
    remove: () => void db.middlewareStack.remove(name),
  };
}

/** Runs `work` with the faults injected, removing them afterwards whatever happens. */
export async function withDbFaults<T>(plans: FaultPlan[], work: (faults: InjectedFault[]) => Promise<T>): Promise<T> {
  const faults = plans.map(injectDbFault);
  try {
    return await work(faults);
  } finally {
    for (const fault of faults) fault.remove();
  }
}
