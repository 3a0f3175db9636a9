import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { currentFunction } from '../../local/lambda-runtime.ts';
import { TABLE_SCHEMA, type IndexSchema } from '../../lambdas/core/table-schema.ts';
import { itemSize } from './item-size.ts';

/**
 * The scale model's recorders: SDK middlewares on the handlers' own DynamoDB and SQS clients inside
 * the twin's handler runtime (the twin runs in this process), so every call any handler or worker
 * makes is kept, attributed to the function whose invocation made it (`currentFunction`).
 *
 * Each DynamoDB call becomes one entry per partition it touched (table or index, partition key value)
 * with the units AWS bills for it there. ReturnConsumedCapacity=INDEXES gives the table/index split of
 * single-item calls; DynamoDB Local's known gaps are corrected as bench/support/recorder.ts does
 * (transactions billed per item from the items read before and after, 2 units per started KB; empty
 * reads at the minimum; failed conditional writes billed as the write), per partition here.
 */
export interface KeyUnits {
  /** `table` or the index name. */
  table: string;
  pk: string;
  rcu: number;
  wcu: number;
}

export interface RecordedCall {
  fn: string;
  command: string;
  keys: KeyUnits[];
  at: number;
  /** Items a Query returned (a group read's audience). */
  items?: number;
  failed?: string;
}

export interface RecordedSend {
  fn: string;
  queue: string;
  bodies: string[];
  at: number;
}

export const dynamoCalls: RecordedCall[] = [];
export const sqsSends: RecordedSend[] = [];
let recording = false;

export function setRecording(on: boolean): void {
  recording = on;
}

type Item = Record<string, unknown>;

const TABLE_PK = TABLE_SCHEMA.partitionKey;

/** The value an expression placeholder stands for (`:v`), or a name placeholder's attribute (`#n`). */
function attributeOf(token: string, names: Record<string, string> | undefined): string {
  return token.startsWith('#') ? (names?.[token] ?? token) : token;
}

/** Partition-key value of a Query: the `<pk attribute> = :value` clause of its key condition. */
function queryPartition(input: Item): { table: string; pk: string } {
  const index = TABLE_SCHEMA.globalIndexes.find((gsi) => gsi.indexName === input.IndexName);
  const wanted = index ? index.partitionKey : TABLE_PK;
  const names = input.ExpressionAttributeNames as Record<string, string> | undefined;
  const values = (input.ExpressionAttributeValues ?? {}) as Item;
  for (const match of String(input.KeyConditionExpression ?? '').matchAll(/([#\w]+)\s*=\s*(:\w+)/g)) {
    if (attributeOf(match[1]!, names) === wanted) return { table: index ? index.indexName : 'table', pk: String(values[match[2]!]) };
  }
  return { table: index ? index.indexName : 'table', pk: '?' };
}

/** The index partition an item write lands in: from a Put's item or an Update's `SET <attr> = :v`. */
function indexPartitionOf(operation: Item, index: IndexSchema): string | undefined {
  const item = operation.Item as Item | undefined;
  if (item) return typeof item[index.partitionKey] === 'string' ? (item[index.partitionKey] as string) : undefined;
  const names = operation.ExpressionAttributeNames as Record<string, string> | undefined;
  const values = (operation.ExpressionAttributeValues ?? {}) as Item;
  for (const match of String(operation.UpdateExpression ?? '').matchAll(/([#\w]+)\s*=\s*(:\w+)/g)) {
    if (attributeOf(match[1]!, names) === index.partitionKey) return String(values[match[2]!]);
  }
  return undefined;
}

function pkOf(key: unknown): string {
  return String((key as Item | undefined)?.[TABLE_PK] ?? '?');
}

const writeUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));
const readUnits = (bytes: number, consistent: boolean) => Math.max(1, Math.ceil(bytes / 4096)) * (consistent ? 1 : 0.5);

function capacityOf(consumed: ConsumedCapacity | ConsumedCapacity[] | undefined): { table: number; indexes: Record<string, number> } {
  const list = consumed === undefined ? [] : Array.isArray(consumed) ? consumed : [consumed];
  let table = 0;
  const indexes: Record<string, number> = {};
  for (const entry of list) {
    const tableUnits = entry.Table?.CapacityUnits ?? entry.Table?.ReadCapacityUnits ?? entry.Table?.WriteCapacityUnits;
    let indexTotal = 0;
    for (const [name, units] of Object.entries(entry.GlobalSecondaryIndexes ?? {})) {
      const n = units.CapacityUnits ?? 0;
      indexes[name] = (indexes[name] ?? 0) + n;
      indexTotal += n;
    }
    table += tableUnits ?? Math.max(0, (entry.CapacityUnits ?? 0) - indexTotal);
  }
  return { table, indexes };
}

export function installScaleRecorder(db: DynamoDBDocumentClient, raw: DynamoDBDocumentClient, tableName: string): void {
  /** Items as stored now, for the transaction correction (read with a client that is not recorded). */
  async function stored(keys: Item[]): Promise<Map<string, Item>> {
    const found = new Map<string, Item>();
    for (let start = 0; start < keys.length; start += 100) {
      let request: Record<string, { Keys: Item[]; ConsistentRead: boolean }> | undefined = { [tableName]: { Keys: keys.slice(start, start + 100), ConsistentRead: true } };
      while (request && Object.keys(request).length > 0) {
        const result = await raw.send(new BatchGetCommand({ RequestItems: request }));
        for (const item of result.Responses?.[tableName] ?? []) found.set(`${item.pk}\u0000${item.sk}`, item);
        request = result.UnprocessedKeys as typeof request;
      }
    }
    return found;
  }
  const id = (key: Item) => `${key.pk}\u0000${key.sk}`;

  db.middlewareStack.add(
    (next, context) => async (args) => {
      if (!recording) return next(args);
      const input = args.input as Item;
      const command = String(context.commandName ?? 'Unknown').replace(/Command$/, '');
      const call: RecordedCall = { fn: currentFunction() ?? 'bench', command, keys: [], at: Date.now() };
      input.ReturnConsumedCapacity = 'INDEXES';
      const transactItems = command === 'TransactWriteItems' ? ((input.TransactItems as Record<string, Item>[]) ?? []).map((entry) => Object.values(entry)[0]!) : [];
      const transactKeys = transactItems.map((operation) => (operation.Key ?? { pk: (operation.Item as Item).pk, sk: (operation.Item as Item).sk }) as Item);
      const before = transactItems.length ? await stored(transactKeys) : undefined;
      dynamoCalls.push(call);
      try {
        const result = await next(args);
        const output = result.output as Item & { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] };
        const reported = capacityOf(output.ConsumedCapacity);
        const consistent = input.ConsistentRead === true;
        if (command === 'GetItem') {
          call.keys.push({ table: 'table', pk: pkOf(input.Key), rcu: Math.max(reported.table, consistent ? 1 : 0.5), wcu: 0 });
        } else if (command === 'Query' || command === 'Scan') {
          const where = queryPartition(input);
          const units = reported.table + Object.values(reported.indexes).reduce((a, b) => a + b, 0);
          call.items = ((output.Items as unknown[]) ?? []).length;
          call.keys.push({ ...where, rcu: Math.max(units, consistent ? 1 : 0.5), wcu: 0 });
        } else if (command === 'BatchGetItem') {
          for (const request of Object.values((input.RequestItems ?? {}) as Record<string, { Keys?: Item[]; ConsistentRead?: boolean }>)) {
            const returned = new Map(((Object.values((output.Responses ?? {}) as Record<string, Item[]>)[0]) ?? []).map((item) => [id(item), item]));
            for (const key of request.Keys ?? []) {
              const item = returned.get(id(key));
              call.keys.push({ table: 'table', pk: pkOf(key), rcu: item ? readUnits(itemSize(item), request.ConsistentRead === true) : request.ConsistentRead ? 1 : 0.5, wcu: 0 });
            }
          }
        } else if (command === 'PutItem' || command === 'UpdateItem' || command === 'DeleteItem') {
          call.keys.push({ table: 'table', pk: pkOf(input.Key ?? input.Item), rcu: 0, wcu: Math.max(1, reported.table) });
          for (const index of TABLE_SCHEMA.globalIndexes) {
            const units = reported.indexes[index.indexName];
            const pk = indexPartitionOf(input, index);
            if (units && pk) call.keys.push({ table: index.indexName, pk, rcu: 0, wcu: units });
          }
        } else if (command === 'BatchWriteItem') {
          for (const requests of Object.values((input.RequestItems ?? {}) as Record<string, Record<string, Item>[]>)) {
            for (const request of requests) {
              const put = request.PutRequest?.Item as Item | undefined;
              const key = put ?? (request.DeleteRequest?.Key as Item | undefined);
              call.keys.push({ table: 'table', pk: pkOf(key), rcu: 0, wcu: put ? writeUnits(itemSize(put)) : 1 });
            }
          }
        } else if (command === 'TransactWriteItems') {
          await billTransaction(call, transactItems, transactKeys, before!, await stored(transactKeys));
        }
        return result;
      } catch (error) {
        call.failed = (error as Error).name;
        if (call.failed === 'ConditionalCheckFailedException' && /^(Put|Update|Delete)Item$/.test(command)) {
          call.keys.push({ table: 'table', pk: pkOf(input.Key ?? input.Item), rcu: 0, wcu: 1 });
        } else if (command === 'TransactWriteItems' && call.failed === 'TransactionCanceledException') {
          // Billed as if written: an upper bound (AWS bills the work done before the rejection).
          await billTransaction(call, transactItems, transactKeys, before!, before!);
        }
        throw error;
      }
    },
    { step: 'initialize', priority: 'low', name: 'benchScaleRecorder' },
  );

  function billTransaction(call: RecordedCall, operations: Item[], keys: Item[], before: Map<string, Item>, after: Map<string, Item>): void {
    operations.forEach((operation, index) => {
      const key = keys[index]!;
      const old = before.get(id(key));
      const next = after.get(id(key));
      const bytes = Math.max(old ? itemSize(old) : 0, next ? itemSize(next) : 0);
      call.keys.push({ table: 'table', pk: pkOf(key), rcu: 0, wcu: 2 * writeUnits(bytes) });
      for (const gsi of TABLE_SCHEMA.globalIndexes) {
        const pk = (next?.[gsi.partitionKey] ?? old?.[gsi.partitionKey]) as string | undefined;
        if (pk && JSON.stringify(old?.n) !== JSON.stringify(next?.n)) call.keys.push({ table: gsi.indexName, pk, rcu: 0, wcu: 1 });
      }
    });
  }
}

/** Queue name for a URL, from the `<QUEUE>_QUEUE_URL` settings the handlers read. */
function queueOf(url: unknown): string {
  for (const [name, value] of Object.entries(process.env)) {
    if (name.endsWith('_QUEUE_URL') && value === url) return name.slice(0, -'_QUEUE_URL'.length).toLowerCase();
  }
  return String(url ?? '').split('/').pop() ?? 'unknown';
}

export function installSqsSendRecorder(sqs: SQSClient): void {
  sqs.middlewareStack.add(
    (next, context) => async (args) => {
      if (!recording) return next(args);
      const input = args.input as { QueueUrl?: string; MessageBody?: string; Entries?: { MessageBody?: string }[] };
      const bodies =
        context.commandName === 'SendMessageBatchCommand'
          ? (input.Entries ?? []).map((entry) => entry.MessageBody ?? '')
          : context.commandName === 'SendMessageCommand'
            ? [input.MessageBody ?? '']
            : [];
      if (bodies.length) sqsSends.push({ fn: currentFunction() ?? 'bench', queue: queueOf(input.QueueUrl), bodies, at: Date.now() });
      return next(args);
    },
    { step: 'initialize', name: 'benchScaleSqsRecorder' },
  );
}
