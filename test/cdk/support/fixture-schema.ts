import type { TableSchema } from '../../../lambdas/core/table-schema.ts';

/** A table shape with one index of each projection kind (today's real schema has none). */
export const indexedSchema: TableSchema = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'ttl',
  globalIndexes: [
    { indexName: 'feed', partitionKey: 'gsi1pk', sortKey: 'gsi1sk', projection: 'ALL' },
    { indexName: 'keys', partitionKey: 'gsi2pk', sortKey: 'gsi2sk', projection: [] },
    { indexName: 'some', partitionKey: 'gsi1pk', sortKey: 'created', projection: ['title', 'views'] },
  ],
};
