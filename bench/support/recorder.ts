import { AsyncLocalStorage } from 'node:async_hooks';
import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Key } from '../../lambdas/core/keys.ts';
import { itemSize } from './item-size.ts';
import { storedSize } from './items.ts';

/**
 * A bench-side recorder on the handlers' own DocumentClient: every DynamoDB call made inside
 * `recordCalls` is kept with its command, its (document-level) input, the partitions it touched, the
 * capacity DynamoDB reported for it (ReturnConsumedCapacity) and when it started and ended. The
 * product's meter (lambdas/core/db.ts) gives the totals; this adds what the tables break them into:
 * rate limiting apart from the operation, sequential stages, and inputs to replay for the load floor.
 *
 * Two corrections make DynamoDB Local's figures what AWS bills (both checked against it here):
 * - TransactWriteItems: DynamoDB Local reports the sum of the DISTINCT per-item costs (three 1 KB
 *   puts report 2 units, not 6). The recorder reads each item before and after the transaction (with
 *   a separate client, not recorded) and bills 2 units per started KB of the larger of the two, per
 *   item, as AWS does (ConditionCheck items by the checked item's size).
 * - Query/Scan with no result: DynamoDB Local reports 0; AWS bills the minimum read (0.5 unit, 1 if
 *   strongly consistent).
 * - A single-item write whose condition failed: DynamoDB Local reports nothing (it is an error);
 *   AWS bills it as the write. A rejected transaction is billed here as if its items had been
 *   written (an upper bound: AWS bills the work done before the rejection).
 * What DynamoDB Local reported is kept beside (`reported*`), so the corrections stay visible.
 */
export interface DbCall {
  command: string;
  input: Record<string, unknown>;
  /** Partition-key prefixes touched (`FEED`, `USER`, `RATE`, ...). */
  partitions: string[];
  readUnits: number;
  writeUnits: number;
  reportedReadUnits: number;
  reportedWriteUnits: number;
  startedAt: number;
  endedAt: number;
  failed?: string;
}

const store = new AsyncLocalStorage<DbCall[]>();
const installed = new WeakSet<object>();

function prefixOf(pk: unknown): string | undefined {
  return typeof pk === 'string' ? pk.split('#')[0] : undefined;
}

/** The partitions a call addresses, read from its keys, items or key condition. */
function partitionsOf(input: Record<string, unknown>): string[] {
  const found = new Set<string>();
  const visit = (entry: Record<string, unknown> | undefined) => {
    if (!entry) return;
    const key = (entry.Key ?? entry.Item) as Record<string, unknown> | undefined;
    const prefix = prefixOf(key?.pk);
    if (prefix) found.add(prefix);
    const values = entry.ExpressionAttributeValues as Record<string, unknown> | undefined;
    if (typeof entry.KeyConditionExpression === 'string' && values) {
      const prefix = prefixOf(values[':pk']);
      if (prefix) found.add(prefix);
    }
  };
  visit(input);
  for (const item of (input.TransactItems as Record<string, Record<string, unknown>>[] | undefined) ?? []) {
    for (const operation of Object.values(item)) visit(operation);
  }
  for (const requests of Object.values((input.RequestItems as Record<string, unknown> | undefined) ?? {})) {
    if (Array.isArray(requests)) {
      for (const request of requests as Record<string, Record<string, unknown>>[]) {
        visit(request.PutRequest);
        visit(request.DeleteRequest);
      }
    } else {
      for (const key of ((requests as { Keys?: Record<string, unknown>[] }).Keys ?? [])) visit({ Key: key });
    }
  }
  return [...found];
}

function unitsOf(command: string, consumed: ConsumedCapacity | ConsumedCapacity[] | undefined): { read: number; write: number } {
  let read = 0;
  let write = 0;
  for (const entry of consumed === undefined ? [] : Array.isArray(consumed) ? consumed : [consumed]) {
    const r = entry.ReadCapacityUnits ?? 0;
    const w = entry.WriteCapacityUnits ?? 0;
    if (r === 0 && w === 0 && entry.CapacityUnits) {
      if (/^(Get|Query|Scan|BatchGet|TransactGet)/.test(command)) read += entry.CapacityUnits;
      else write += entry.CapacityUnits;
    } else {
      read += r;
      write += w;
    }
  }
  return { read, write };
}

const sizeAt = (key: Record<string, unknown>, table: string) => storedSize(key as unknown as Key, table);

/** Sizes of a transaction's items before it runs, and what AWS bills once it has (2 units per started KB each). */
async function transactionSizes(input: Record<string, unknown>) {
  const entries = ((input.TransactItems as Record<string, Record<string, unknown>>[] | undefined) ?? []).map((item) => {
    const [kind, operation] = Object.entries(item)[0]!;
    const key = (operation.Key ?? operation.Item) as Record<string, unknown>;
    return { kind, operation, key, table: operation.TableName as string };
  });
  const before = await Promise.all(entries.map((entry) => sizeAt(entry.key, entry.table)));
  return {
    async billed(): Promise<number> {
      const after = await Promise.all(
        entries.map((entry) =>
          entry.kind === 'Put' ? itemSize(entry.operation.Item as Record<string, unknown>) : entry.kind === 'ConditionCheck' ? 0 : sizeAt(entry.key, entry.table),
        ),
      );
      return entries.reduce((total, _, index) => total + 2 * Math.max(1, Math.ceil(Math.max(before[index]!, after[index]!) / 1024)), 0);
    },
  };
}

export function installRecorder(db: DynamoDBDocumentClient): void {
  if (installed.has(db)) return;
  installed.add(db);
  db.middlewareStack.add(
    (next, context) => async (args) => {
      const calls = store.getStore();
      if (!calls) return next(args);
      const input = args.input as Record<string, unknown>;
      const call: DbCall = {
        command: String(context.commandName ?? 'Unknown').replace(/Command$/, ''),
        input: structuredClone(input),
        partitions: partitionsOf(input),
        readUnits: 0,
        writeUnits: 0,
        reportedReadUnits: 0,
        reportedWriteUnits: 0,
        startedAt: performance.now(),
        endedAt: 0,
      };
      input.ReturnConsumedCapacity = 'TOTAL';
      calls.push(call);
      const transaction = call.command === 'TransactWriteItems' ? await store.exit(() => transactionSizes(input)) : undefined;
      try {
        const result = await next(args);
        const units = unitsOf(call.command, (result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] }).ConsumedCapacity);
        call.reportedReadUnits = call.readUnits = units.read;
        call.reportedWriteUnits = call.writeUnits = units.write;
        if (/^(Query|Scan)$/.test(call.command) && units.read === 0) call.readUnits = input.ConsistentRead ? 1 : 0.5;
        return result;
      } catch (error) {
        call.failed = (error as Error).name;
        // AWS bills a write whose condition failed as the write (by the existing item's size).
        if (call.failed === 'ConditionalCheckFailedException' && /^(Put|Update|Delete)Item$/.test(call.command)) {
          const key = (input.Key ?? input.Item) as Record<string, unknown>;
          call.writeUnits = Math.max(1, Math.ceil((await store.exit(() => sizeAt(key, input.TableName as string))) / 1024));
        }
        throw error;
      } finally {
        if (transaction) call.writeUnits = await store.exit(() => transaction.billed());
        call.endedAt = performance.now();
      }
    },
    { step: 'initialize', priority: 'high', name: 'benchCallRecorder' },
  );
}

/** Runs `work` and returns the DynamoDB calls it made (in the order they started). */
export async function recordCalls<T>(work: () => Promise<T>): Promise<{ result: T; calls: DbCall[] }> {
  const calls: DbCall[] = [];
  const result = await store.run(calls, work);
  return { result, calls };
}

/**
 * Sequential stages: the longest chain of calls each of which started after the previous one had
 * finished. Calls made in parallel (Promise.all) overlap and share a stage.
 */
export function stagesOf(calls: DbCall[]): number {
  const depth: number[] = [];
  calls.forEach((call, index) => {
    let best = 0;
    for (let before = 0; before < index; before++) if (calls[before]!.endedAt <= call.startedAt) best = Math.max(best, depth[before]!);
    depth.push(best + 1);
  });
  return Math.max(0, ...depth);
}

export const isRateLimit = (call: DbCall) => call.partitions.length === 1 && call.partitions[0] === 'RATE';
