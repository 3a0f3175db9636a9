import { BatchGetCommand, GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import { vi } from 'vitest';
import { TABLE, db, newMeter, withCapacityMeter, type CapacityMeter } from '../../lambdas/core/db.ts';
import { VIEWS_BY_HOUR_INDEX } from '../../lambdas/core/table-schema.ts';

/**
 * Capacity as AWS bills it. The meter reads DynamoDB Local's ConsumedCapacity, which is exact for
 * single-item calls, queries and batches, but for TransactWriteItems reports 2 x (sum of all item
 * sizes, rounded up to 1 KB ONCE), where AWS rounds every item up to 1 KB and doubles each. So
 * transactions are billed here from the items themselves, read back after the commit. It also
 * reports nothing for reads that find nothing, where AWS bills the minimum: 0.5 RCU per eventually
 * consistent GetItem or Query (1 if strongly consistent) and 0.5 per BatchGetItem key not found.
 */

function numberSize(n: number): number {
  const digits = String(Math.abs(n)).replace('.', '').replace(/^0+/, '').replace(/0+$/, '').length || 1;
  return Math.ceil(digits / 2) + 1;
}

function valueSize(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number') return numberSize(value);
  if (typeof value === 'boolean' || value === null) return 1;
  if (value instanceof Set) return [...value].reduce((sum: number, element) => sum + valueSize(element), 0);
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, element) => sum + 1 + valueSize(element), 0);
  if (typeof value === 'object') {
    return 3 + Object.entries(value as object).reduce((sum, [name, element]) => sum + 1 + Buffer.byteLength(name) + valueSize(element), 0);
  }
  throw new Error(`unsized value ${String(value)}`);
}

/** DynamoDB's item size: attribute names plus values. */
export function itemSize(item: Record<string, unknown>): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + valueSize(value), 0);
}

const kb = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));

export interface TransactionBill {
  transactions: number;
  /** Reads as AWS bills them (the meter's figure, raised to AWS's minimum where DynamoDB Local reports 0). */
  rcu: number;
  /** Table writes: 2 WCU per action per started KB of the item written. */
  tableWcu: number;
  /** Index writes the transaction caused (1 WCU per started KB of the index entry). */
  indexWcu: number;
}

/** Runs `work` metering every call, and bills every committed transaction the AWS way. */
export async function measure<T>(work: () => Promise<T>): Promise<{ result: T; meter: CapacityMeter; bill: TransactionBill }> {
  const committed: NonNullable<TransactWriteCommand['input']['TransactItems']>[] = [];
  let rcu = 0;
  const send = db.send.bind(db);
  const spy = vi.spyOn(db, 'send').mockImplementation((async (command: unknown) => {
    const output = (await send(command as never)) as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[]; Responses?: Record<string, unknown[]> };
    const consumed = [output.ConsumedCapacity ?? []].flat().reduce((sum, entry) => sum + (entry.CapacityUnits ?? 0), 0);
    if (command instanceof TransactWriteCommand) committed.push(command.input.TransactItems ?? []);
    else if (command instanceof GetCommand || command instanceof QueryCommand) rcu += Math.max(consumed, command.input.ConsistentRead ? 1 : 0.5);
    else if (command instanceof BatchGetCommand) {
      const asked = Object.values(command.input.RequestItems ?? {}).reduce((sum, request) => sum + (request.Keys?.length ?? 0), 0);
      const found = Object.values(output.Responses ?? {}).reduce((sum, items) => sum + items.length, 0);
      rcu += consumed + 0.5 * (asked - found);
    }
    return output;
  }) as never);
  const meter = newMeter();
  let result: T;
  try {
    result = await withCapacityMeter(meter, work);
  } finally {
    spy.mockRestore();
  }
  const bill: TransactionBill = { transactions: committed.length, rcu, tableWcu: 0, indexWcu: 0 };
  for (const actions of committed) {
    for (const action of actions) {
      const key = action.Put ? { pk: action.Put.Item!.pk, sk: action.Put.Item!.sk } : (action.Update ?? action.Delete ?? action.ConditionCheck)!.Key!;
      const { Item } = await send(new GetCommand({ TableName: TABLE, Key: key, ConsistentRead: true }));
      bill.tableWcu += 2 * kb(Item ? itemSize(Item) : 0);
      if (Item && typeof Item[VIEWS_BY_HOUR_INDEX.partitionKey] === 'string') {
        const entry = Object.fromEntries(['pk', 'sk', VIEWS_BY_HOUR_INDEX.partitionKey, ...(VIEWS_BY_HOUR_INDEX.projection as string[])].map((name) => [name, Item[name]]));
        bill.indexWcu += kb(itemSize(entry));
      }
    }
  }
  return { result: result!, meter, bill };
}
