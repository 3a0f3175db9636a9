import { AsyncLocalStorage } from 'node:async_hooks';
import { DynamoDBClient, type ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, type PutCommand, type UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { envFlag, envString, readEnv } from './config.ts';

const config = readEnv({
  TABLE_NAME: envString(),
  /** Ask DynamoDB for consumed capacity on every call and add it to the current meter (benchmarks, tests). */
  DYNAMODB_CAPACITY_METER: envFlag(false),
});

export const TABLE = config.TABLE_NAME;

/**
 * What one unit of work (a request, a batch) cost in DynamoDB, as DynamoDB reports it. Against
 * DynamoDB Local that is not always what AWS bills: it reports a TransactWriteItems as the sum of its
 * DISTINCT per-item costs (three 1 KB puts: 2 units, not 6), and 0 for a Query that finds nothing and
 * for BatchGetItem keys not found. bench/support/recorder.ts corrects both (docs/benchmarks.md).
 */
export interface CapacityMeter {
  calls: number;
  readUnits: number;
  writeUnits: number;
  operations: string[];
}

const meters = new AsyncLocalStorage<CapacityMeter>();

export function newMeter(): CapacityMeter {
  return { calls: 0, readUnits: 0, writeUnits: 0, operations: [] };
}

/** Runs `work` with a meter that every DynamoDB call made inside it adds to. */
export function withCapacityMeter<T>(meter: CapacityMeter, work: () => Promise<T>): Promise<T> {
  return meters.run(meter, work);
}

function record(meter: CapacityMeter, operation: string, consumed: ConsumedCapacity | ConsumedCapacity[] | undefined) {
  meter.calls += 1;
  meter.operations.push(operation);
  for (const entry of consumed === undefined ? [] : Array.isArray(consumed) ? consumed : [consumed]) {
    // Single-item calls report only CapacityUnits; split by what the operation is.
    const read = entry.ReadCapacityUnits ?? 0;
    const write = entry.WriteCapacityUnits ?? 0;
    if (read === 0 && write === 0 && entry.CapacityUnits) {
      if (/^(Get|Query|Scan|BatchGet|TransactGet)/.test(operation)) meter.readUnits += entry.CapacityUnits;
      else meter.writeUnits += entry.CapacityUnits;
    } else {
      meter.readUnits += read;
      meter.writeUnits += write;
    }
  }
}

const client = new DynamoDBClient({});

export const db = DynamoDBDocumentClient.from(client, {
  marshallOptions: { removeUndefinedValues: true },
});

if (config.DYNAMODB_CAPACITY_METER) {
  db.middlewareStack.add(
    (next, context) => async (args) => {
      const meter = meters.getStore();
      if (!meter) return next(args);
      (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'TOTAL';
      const operation = String(context.commandName ?? 'Unknown').replace(/Command$/, '');
      try {
        const result = await next(args);
        const output = result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] };
        record(meter, operation, output.ConsumedCapacity);
        return result;
      } catch (error) {
        // A failed condition is billed too, but DynamoDB does not report it on the error.
        record(meter, `${operation}!`, undefined);
        throw error;
      }
    },
    { step: 'initialize', name: 'ventroomCapacityMeter' },
  );
}

/**
 * Reasons a transaction is cancelled that mean "nothing was written, and trying again may well
 * work": another transaction held one of its items, or an item was throttled. Any other reason
 * (ConditionalCheckFailed, ValidationError, ...) is an answer, not an accident.
 */
const TRANSIENT_CANCELLATIONS = new Set(['TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded']);
/**
 * Few and quick (at most ≈ 0.45 s of backoff in all). This is the one retry of transient
 * cancellations: loops above it (optimistic.ts, the views count) handle only their own reasons.
 */
const TRANSACTION_ATTEMPTS = 5;

/** A transaction DynamoDB cancelled only for transient reasons (the items marked 'None' were fine). */
export function isTransientCancellation(error: unknown): boolean {
  const reasons = cancellationReasons(error);
  return reasons !== undefined && reasons.some((r) => r !== 'None') && reasons.every((r) => r === 'None' || TRANSIENT_CANCELLATIONS.has(r));
}

/**
 * Retries a TransactWriteItems that DynamoDB cancelled only for transient reasons. The SDK does not
 * (a TransactionCanceledException is not a retryable error to it), yet conflicts are routine here:
 * every create and delete moves the one feed counter item, so concurrent writers collide on it.
 * A cancelled transaction wrote nothing, so the retry cannot double anything. Each attempt is a new
 * request (with a new idempotency token); the SDK's own retries of one attempt keep theirs.
 */
db.middlewareStack.add(
  (next, context) => async (args) => {
    if (context.commandName !== 'TransactWriteItemsCommand') return next(args);
    for (let attempt = 1; ; attempt++) {
      try {
        return await next(args);
      } catch (error) {
        if (!isTransientCancellation(error) || attempt >= TRANSACTION_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** attempt * (0.5 + Math.random())));
      }
    }
  },
  { step: 'initialize', priority: 'high', name: 'ventroomTransactionRetry' },
);

/** Errors are matched by name: robust to two bundled copies of the SDK. */
export function isConditionFailure(error: unknown): boolean {
  return (error as { name?: string } | null)?.name === 'ConditionalCheckFailedException';
}

/** Sends a conditional write: true when it was made, false when its condition did not hold. */
export async function writeIf(command: UpdateCommand | PutCommand): Promise<boolean> {
  try {
    await db.send(command as UpdateCommand);
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/**
 * For a cancelled transaction, the reason code of each of its items in order ('None' for items that
 * were fine); undefined for any other error.
 */
export function cancellationReasons(error: unknown): string[] | undefined {
  if ((error as { name?: string } | null)?.name !== 'TransactionCanceledException') return undefined;
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return reasons.map((reason) => reason.Code ?? 'None');
}

/** Whether the item at `index` of a cancelled transaction failed its condition. */
export function conditionFailedAt(error: unknown, index: number): boolean {
  return cancellationReasons(error)?.[index] === 'ConditionalCheckFailed';
}
