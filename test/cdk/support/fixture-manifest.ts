import type { Manifest } from '../../../lib/manifest.ts';

/**
 * A manifest richer than today's real one: WebSocket routes (one- and two-way), a consumer on every
 * queue, and every access kind, so each stack feature is exercised whatever the real manifest
 * holds. Entries point at existing handler files: template tests do not bundle, they only need the
 * entry to exist, and what the code does is not under test here.
 */
const ENTRY = 'lambdas/http/posts/list.ts';

export const fixtureManifest: Manifest = {
  httpRoutes: [
    { id: 'ReadFeed', methods: ['GET'], path: '/api/ventroom/feed', entry: ENTRY, rateClass: 'standard', access: { table: { read: { actions: ['GetItem', 'Query'], partitions: ['feed', 'user'] } }, media: ['stage'] } },
    {
      id: 'WriteThing',
      methods: ['POST', 'PUT', 'PATCH'],
      path: '/api/ventroom/things/{thing_id}',
      entry: ENTRY,
      rateClass: 'create',
      access: {
        table: { read: { actions: ['GetItem', 'BatchGetItem'], partitions: ['post'] }, write: { actions: ['PutItem', 'UpdateItem', 'DeleteItem'], partitions: ['post', 'sequences'] } },
        sendTo: ['broadcast', 'views'],
        media: ['store', 'adopt', 'delete'],
      },
      timeoutSeconds: 29,
      memoryMb: 1536,
    },
    { id: 'Health', methods: ['GET'], path: '/api/ventroom/health', entry: ENTRY, rateClass: 'none', access: {} },
  ],
  httpFallback: { id: 'Unmatched', entry: ENTRY, access: {} },
  wsRoutes: [
    { id: 'Connect', routeKey: '$connect', entry: ENTRY, returnResponse: false, rateClass: 'none', access: { table: { write: { actions: ['BatchWriteItem'], partitions: ['connection', 'group'] } } } },
    { id: 'Disconnect', routeKey: '$disconnect', entry: ENTRY, returnResponse: false, rateClass: 'none', access: { table: { read: { actions: ['Query'], partitions: ['connection'] }, write: { actions: ['BatchWriteItem'], partitions: ['connection', 'group'] } } } },
    { id: 'Fallback', routeKey: '$default', entry: ENTRY, returnResponse: true, rateClass: 'none', access: {} },
    { id: 'Join', routeKey: 'join_ventroom', entry: ENTRY, returnResponse: true, rateClass: 'standard', access: { table: { read: { actions: ['GetItem'], partitions: ['connection'] } } }, timeoutSeconds: 5 },
    { id: 'Echo', routeKey: 'echo', entry: ENTRY, returnResponse: false, rateClass: 'none', access: { manageConnections: ['POST'] } },
  ],
  queues: [
    { name: 'broadcast', visibilityTimeoutSeconds: 180, maxReceiveCount: 5, alarmAgeSeconds: 300 },
    { name: 'views', visibilityTimeoutSeconds: 120, maxReceiveCount: 3, alarmAgeSeconds: 300 },
    { name: 'notifications', visibilityTimeoutSeconds: 180, maxReceiveCount: 4, alarmAgeSeconds: 300 },
    { name: 'cleanup', visibilityTimeoutSeconds: 900, maxReceiveCount: 5, alarmAgeSeconds: 300 },
  ],
  consumers: [
    {
      id: 'Fanout',
      queue: 'broadcast',
      entry: ENTRY,
      batchSize: 10,
      maxBatchingWindowSeconds: 0,
      timeoutSeconds: 30,
      maxConcurrency: 50,
      access: { table: { read: { actions: ['Query'], partitions: ['group'] } }, sendTo: ['broadcast'], manageConnections: ['POST'] },
    },
    {
      id: 'ViewsWorker',
      queue: 'views',
      entry: ENTRY,
      batchSize: 100,
      maxBatchingWindowSeconds: 5,
      timeoutSeconds: 20,
      maxConcurrency: 5,
      access: { table: { write: { actions: ['UpdateItem'], partitions: ['post', 'user'] } }, sendTo: ['broadcast'] },
    },
    {
      id: 'Notifier',
      queue: 'notifications',
      entry: ENTRY,
      batchSize: 10,
      maxBatchingWindowSeconds: 1,
      timeoutSeconds: 30,
      maxConcurrency: 10,
      access: { table: { read: { actions: ['GetItem'], partitions: ['user'] } }, notificationsTopic: true },
    },
    {
      id: 'Cleaner',
      queue: 'cleanup',
      entry: ENTRY,
      batchSize: 5,
      maxBatchingWindowSeconds: 0,
      timeoutSeconds: 120,
      maxConcurrency: 2,
      access: { table: { write: { actions: ['BatchWriteItem'], partitions: ['post', 'comment', 'user'] } }, media: ['delete'], retractsMedia: true },
    },
  ],
};
