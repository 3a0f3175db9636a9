import { AsyncLocalStorage } from 'node:async_hooks';
import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Key } from '../../lambdas/core/keys.ts';
import { itemSize } from './item-size.ts';
import { storedItem, storedSize } from './items.ts';
import { TABLE_SCHEMA, type IndexSchema } from '../../lambdas/core/table-schema.ts';

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
 *   item, as AWS does (ConditionCheck items by the checked item's size), plus the index writes the
 *   change causes (1 unit per started KB of the index entry).
 * - Reads that find nothing: DynamoDB Local reports 0 for an empty Query/Scan and for BatchGetItem
 *   keys not found; AWS bills the minimum read (0.5 unit, 1 if strongly consistent) for each.
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

type Item = Record<string, unknown>;

/** The entry an item has in a global secondary index (undefined when the item is not in it). */
function indexEntry(item: Item | undefined, index: IndexSchema): Item | undefined {
  if (!item || typeof item[index.partitionKey] !== 'string' || typeof item[index.sortKey] !== 'string') return undefined;
  if (index.projection === 'ALL') return item;
  const names = [TABLE_SCHEMA.partitionKey, TABLE_SCHEMA.sortKey, index.partitionKey, index.sortKey, ...(index.projection === 'KEYS_ONLY' ? [] : index.projection)];
  return Object.fromEntries(names.filter((name) => item[name] !== undefined).map((name) => [name, item[name]]));
}

/**
 * What a change of one item costs in the table's global secondary indexes, as AWS bills index
 * propagation: 1 unit per started KB of the entry written or deleted, 2 writes when the entry moves
 * to another index key. (DynamoDB Local doubles these inside transactions; AWS documents index
 * writes as standard writes, so they are not doubled here.)
 */
function indexUnits(before: Item | undefined, after: Item | undefined): number {
  let units = 0;
  for (const index of TABLE_SCHEMA.globalIndexes) {
    const old = indexEntry(before, index);
    const next = indexEntry(after, index);
    if (!old && !next) continue;
    const kb = (entry: Item) => Math.max(1, Math.ceil(itemSize(entry) / 1024));
    const moved = old && next && (old[index.partitionKey] !== next[index.partitionKey] || old[index.sortKey] !== next[index.sortKey]);
    if (moved) units += kb(old) + kb(next);
    else if (next) units += JSON.stringify(old) === JSON.stringify(next) ? 0 : kb(next);
    else units += kb(old!);
  }
  return units;
}

/** A transaction's items before it runs, and what AWS bills once it has (2 units per started KB each, plus index writes). */
async function transactionSizes(input: Record<string, unknown>) {
  const entries = ((input.TransactItems as Record<string, Record<string, unknown>>[] | undefined) ?? []).map((item) => {
    const [kind, operation] = Object.entries(item)[0]!;
    const key = (operation.Key ?? operation.Item) as Record<string, unknown>;
    return { kind, operation, key: { pk: key.pk, sk: key.sk } as unknown as Key, table: operation.TableName as string };
  });
  const before = await Promise.all(entries.map((entry) => storedItem(entry.key, entry.table)));
  return {
    async billed(): Promise<number> {
      const after = await Promise.all(entries.map((entry) => (entry.kind === 'ConditionCheck' ? undefined : storedItem(entry.key, entry.table))));
      return entries.reduce((total, entry, index) => {
        const old = before[index];
        const next = entry.kind === 'ConditionCheck' ? old : after[index];
        const bytes = Math.max(old ? itemSize(old) : 0, next ? itemSize(next) : 0);
        const table = 2 * Math.max(1, Math.ceil(bytes / 1024));
        return total + table + (entry.kind === 'ConditionCheck' ? 0 : indexUnits(old, next));
      }, 0);
    },
  };
}

/** BatchGetItem: AWS bills every key asked for, found or not (0.5 unit, 1 if strongly consistent); DynamoDB Local only the found. */
function missingKeysUnits(input: Record<string, unknown>, output: { Responses?: Record<string, unknown[]> }): number {
  let units = 0;
  for (const [table, request] of Object.entries((input.RequestItems ?? {}) as Record<string, { Keys?: unknown[]; ConsistentRead?: boolean }>)) {
    const missing = (request.Keys?.length ?? 0) - (output.Responses?.[table]?.length ?? 0);
    units += Math.max(0, missing) * (request.ConsistentRead ? 1 : 0.5);
  }
  return units;
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
        if (/^(Query|Scan|GetItem)$/.test(call.command) && units.read === 0) call.readUnits = input.ConsistentRead ? 1 : 0.5;
        if (call.command === 'BatchGetItem') call.readUnits += missingKeysUnits(input, result.output as { Responses?: Record<string, unknown[]> });
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
