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

export const TABLE_SCHEMA: TableSchema = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'ttl',
  globalIndexes: [],
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
