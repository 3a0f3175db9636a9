/**
 * The single table's physical shape, as plain data. The CDK data construct and the offline twin both
 * build the table from this, so the two cannot drift. What the items inside look like lives in
 * `keys.ts` and the repositories.
 */
export interface IndexSchema {
  indexName: string;
  partitionKey: string;
  sortKey: string;
  /** Attributes copied into the index besides the keys; an empty list means KEYS_ONLY. */
  projection: 'ALL' | 'KEYS_ONLY' | string[];
}

export interface TableSchema {
  partitionKey: string;
  sortKey: string;
  ttlAttribute: string;
  globalIndexes: IndexSchema[];
}

/**
 * The hourly view buckets of one hour, across posts (trending). Sparse: only `VH#` bucket items carry
 * `vh`. The index sort key is the table's own `pk` (`POST#<id>`), so no extra attribute is stored,
 * and only the counter `n` is projected: every bucket update is paid again here, at the smallest size.
 */
export const VIEWS_BY_HOUR_INDEX: IndexSchema = {
  indexName: 'ViewsByHour',
  partitionKey: 'vh',
  sortKey: 'pk',
  projection: ['n'],
};

export const TABLE_SCHEMA: TableSchema = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'ttl',
  globalIndexes: [VIEWS_BY_HOUR_INDEX],
};

/** Every attribute that a key of the table or of an index is made of (all strings). */
export function keyAttributes(schema: TableSchema = TABLE_SCHEMA): string[] {
  const names = new Set<string>([schema.partitionKey, schema.sortKey]);
  for (const index of schema.globalIndexes) {
    names.add(index.partitionKey);
    names.add(index.sortKey);
  }
  return [...names];
}
