/**
 * The route manifest: the one list of every HTTP route, WebSocket route, queue and queue consumer.
 * The CDK stack creates one Lambda per entry (with exactly the access it declares) and the offline
 * twin mounts the same handler modules from it. Plain data only: importing it pulls in no handler.
 */

import type { Partition } from './core/keys.ts';
import { VIEWS_BY_HOUR_INDEX } from './core/table-schema.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Per-user request budgets: the spec's "Rate Limiting" section, and `views` for mark_as_viewed (the
 * spec sets it no limit; its budget is far above what a scrolling app sends, and stops a script from
 * turning the endpoint into a queue-and-worker amplifier: docs/hardening.md).
 */
export type RateClass = 'standard' | 'create' | 'reaction' | 'views' | 'none';

export type QueueName = 'broadcast' | 'views' | 'notifications' | 'cleanup';

/** Item actions on the table (a transaction is authorised as the item actions it holds). */
export type TableReadAction = 'GetItem' | 'BatchGetItem' | 'Query';
export type TableWriteAction = 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'BatchWriteItem';

/** Actions confined to the families of partitions (core/keys.ts) they touch: IAM's `dynamodb:LeadingKeys`. */
export interface TableGrant<A> {
  actions: A[];
  partitions: Partition[];
}

export interface TableAccess {
  read?: TableGrant<TableReadAction>;
  write?: TableGrant<TableWriteAction>;
  /** Global secondary indexes the function queries. */
  indexes?: string[];
}

/**
 * What a function does with media objects (core/media.ts): `stage` signs upload URLs into the
 * staging prefix; `store` writes a file it received; `adopt` checks and moves a staged upload into
 * the library (reads and deletes it; deletes its copy if the upload changed meanwhile); `delete`
 * deletes library files (discarded, replaced or left by deleted content).
 */
export type MediaUse = 'stage' | 'store' | 'adopt' | 'delete';

/**
 * What a function may touch; CDK turns this into least-privilege grants and environment, and the
 * IAM check (test/iam) proves each grant both needed and sufficient against what the tests recorded.
 * A rate-limited route's own rate-window write is granted on its own (lib/access.ts).
 */
export type ConnectionMethod = 'POST' | 'DELETE';

export interface Access {
  table?: TableAccess;
  sendTo?: QueueName[];
  media?: MediaUse[];
  /** Takes published media down: may invalidate paths in the media distribution's edge cache. */
  retractsMedia?: boolean;
  notificationsTopic?: boolean;
  /** The @connections methods it calls: POST sends to a connection, DELETE closes one. */
  manageConnections?: ConnectionMethod[];
}

export interface HttpRoute {
  /** Stable identifier: the handler looks its own settings up by it; CDK names the function after it. */
  id: string;
  methods: HttpMethod[];
  /** Without the trailing slash (API Gateway route keys cannot end in one); both forms are served. */
  path: string;
  /** Handler module, relative to the repository root; it exports `handler`. */
  entry: string;
  rateClass: RateClass;
  access: Access;
  timeoutSeconds?: number;
  memoryMb?: number;
}

/**
 * What answers a request no HTTP route matches (API Gateway's `$default` route): DRF's 405 with an
 * `Allow` header for a known path asked with another method, else DRF's 404 body, instead of API
 * Gateway's bare `{"message": "Not Found"}`. It reads and writes nothing.
 */
export interface HttpFallback {
  id: string;
  entry: string;
  access: Access;
}

export interface WsRoute {
  id: string;
  routeKey: string;
  entry: string;
  /** Send the handler's returned body back to the caller (a two-way route). */
  returnResponse: boolean;
  /**
   * What a message spends. `socket`: its connection's message budget (RATE_LIMITS `socket`; the
   * first message past it closes the connection, core/ws/socket-budget.ts); `standard`: that and
   * the sender's `standard` budget too (joins and leaves write to the table). `none`: $connect and
   * $disconnect, which clients do not send.
   */
  rateClass: 'standard' | 'socket' | 'none';
  access: Access;
  timeoutSeconds?: number;
}

export interface QueueSpec {
  name: QueueName;
  /** Seconds a received message stays invisible; at least 6x the consumer's timeout (AWS guidance). */
  visibilityTimeoutSeconds: number;
  /** Receives before a message moves to the queue's dead-letter queue. */
  maxReceiveCount: number;
  /**
   * Age of the oldest message that raises an alarm: the queue is not keeping up (a stuck or throttled
   * consumer), long before the 4-day retention silently drops anything.
   */
  alarmAgeSeconds: number;
}

export interface Consumer {
  id: string;
  queue: QueueName;
  entry: string;
  batchSize: number;
  maxBatchingWindowSeconds: number;
  timeoutSeconds: number;
  /** Upper bound on concurrent invocations from the event source (a runaway must not drain the table). */
  maxConcurrency: number;
  access: Access;
}

/** A function's timeout when its entry names none (API Gateway cuts HTTP integrations at 30 s). */
export const DEFAULT_TIMEOUT_SECONDS = 10;

/** What a route that takes media in (a file or a staged upload) does with it; a failed write deletes the stored file. */
const MEDIA_INPUT: MediaUse[] = ['store', 'adopt', 'delete'];

export const httpRoutes: HttpRoute[] = [
  {
    id: 'ListPosts',
    methods: ['GET'],
    path: '/api/ventroom/posts',
    entry: 'lambdas/http/posts/list.ts',
    rateClass: 'standard',
    access: { table: { read: { actions: ['GetItem', 'Query'], partitions: ['feed', 'user'] } }, sendTo: ['views'] },
  },
  {
    id: 'CreatePost',
    methods: ['POST'],
    path: '/api/ventroom/posts',
    entry: 'lambdas/http/posts/create.ts',
    rateClass: 'create',
    access: { table: { write: { actions: ['PutItem', 'UpdateItem'], partitions: ['feed', 'sequences'] } }, sendTo: ['broadcast'], media: MEDIA_INPUT },
    memoryMb: 1024,
  },
  {
    id: 'CreateUpload',
    methods: ['POST'],
    path: '/api/ventroom/uploads',
    entry: 'lambdas/http/uploads/create.ts',
    rateClass: 'create',
    // Its one write is the rate window; it signs a PUT into the staging prefix and reads nothing.
    access: { media: ['stage'] },
  },
  // Literal paths: they win over `/posts/{post_id}` (API Gateway and the local gateway both prefer
  // the route with more literal segments).
  {
    id: 'TrendingPosts',
    methods: ['GET'],
    path: '/api/ventroom/posts/trending',
    entry: 'lambdas/http/posts/trending.ts',
    rateClass: 'standard',
    // Writes: the rate window and the trending snapshot's refresh.
    access: {
      table: {
        read: { actions: ['GetItem', 'BatchGetItem', 'Query'], partitions: ['trending', 'feed', 'user'] },
        write: { actions: ['PutItem', 'UpdateItem'], partitions: ['trending'] },
        indexes: [VIEWS_BY_HOUR_INDEX.indexName],
      },
      sendTo: ['views'],
    },
  },
  {
    id: 'MarkPostsViewed',
    methods: ['POST'],
    path: '/api/ventroom/posts/mark_as_viewed',
    entry: 'lambdas/http/posts/mark-as-viewed.ts',
    // Its only write is the rate window (view tracking itself is the worker's).
    rateClass: 'views',
    access: { table: { read: { actions: ['GetItem', 'BatchGetItem', 'Query'], partitions: ['sequences', 'feed', 'user'] } }, sendTo: ['views'] },
  },
  {
    id: 'PostViewStats',
    methods: ['GET'],
    path: '/api/ventroom/posts/{post_id}/view_stats',
    entry: 'lambdas/http/posts/view-stats.ts',
    rateClass: 'standard',
    access: { table: { read: { actions: ['GetItem', 'Query'], partitions: ['feed', 'user', 'post'] } } },
  },
  {
    id: 'GetPost',
    methods: ['GET'],
    path: '/api/ventroom/posts/{post_id}',
    entry: 'lambdas/http/posts/get.ts',
    rateClass: 'standard',
    access: { table: { read: { actions: ['GetItem', 'Query'], partitions: ['feed', 'user'] } }, sendTo: ['views'] },
  },
  {
    id: 'UpdatePost',
    methods: ['PUT', 'PATCH'],
    path: '/api/ventroom/posts/{post_id}',
    entry: 'lambdas/http/posts/update.ts',
    rateClass: 'standard',
    access: {
      table: { read: { actions: ['GetItem', 'Query'], partitions: ['feed', 'user'] }, write: { actions: ['UpdateItem'], partitions: ['feed'] } },
      sendTo: ['broadcast'],
      media: MEDIA_INPUT,
      retractsMedia: true,
    },
    memoryMb: 1024,
  },
  {
    id: 'DeletePost',
    methods: ['DELETE'],
    path: '/api/ventroom/posts/{post_id}',
    entry: 'lambdas/http/posts/delete.ts',
    rateClass: 'standard',
    access: { table: { read: { actions: ['Query'], partitions: ['feed'] }, write: { actions: ['UpdateItem', 'DeleteItem'], partitions: ['feed'] } }, sendTo: ['broadcast', 'cleanup'] },
  },
  {
    id: 'PostWithComments',
    methods: ['GET'],
    path: '/api/ventroom/posts/{post_id}/with_comments',
    entry: 'lambdas/http/posts/with-comments.ts',
    rateClass: 'standard',
    access: { table: { read: { actions: ['Query'], partitions: ['feed', 'post', 'user'] } }, sendTo: ['views'] },
  },
  {
    id: 'ListComments',
    methods: ['GET'],
    path: '/api/ventroom/posts/{post_id}/comments',
    entry: 'lambdas/http/comments/list.ts',
    rateClass: 'standard',
    access: { table: { read: { actions: ['Query'], partitions: ['feed', 'post', 'user'] } }, sendTo: ['views'] },
  },
  {
    id: 'CreateComment',
    methods: ['POST'],
    path: '/api/ventroom/posts/{post_id}/comments',
    entry: 'lambdas/http/comments/create.ts',
    rateClass: 'create',
    access: {
      table: {
        read: { actions: ['GetItem', 'Query'], partitions: ['feed', 'post', 'comment'] },
        write: { actions: ['PutItem', 'UpdateItem'], partitions: ['feed', 'post', 'comment', 'sequences'] },
      },
      sendTo: ['broadcast', 'notifications'],
      media: MEDIA_INPUT,
    },
    memoryMb: 1024,
  },
  {
    id: 'UpdateComment',
    methods: ['PUT', 'PATCH'],
    path: '/api/ventroom/posts/{post_id}/comments/{comment_id}',
    entry: 'lambdas/http/comments/update.ts',
    rateClass: 'standard',
    access: {
      table: { read: { actions: ['GetItem', 'Query'], partitions: ['feed', 'post', 'comment', 'user'] }, write: { actions: ['UpdateItem'], partitions: ['post'] } },
      sendTo: ['broadcast'],
      media: MEDIA_INPUT,
      retractsMedia: true,
    },
    memoryMb: 1024,
  },
  {
    id: 'DeleteComment',
    methods: ['DELETE'],
    path: '/api/ventroom/posts/{post_id}/comments/{comment_id}',
    entry: 'lambdas/http/comments/delete.ts',
    rateClass: 'standard',
    // Media of deleted comments is removed by the cleanup worker, so this function needs no bucket access.
    access: {
      table: {
        read: { actions: ['GetItem', 'Query'], partitions: ['feed', 'post', 'comment'] },
        write: { actions: ['PutItem', 'UpdateItem', 'DeleteItem'], partitions: ['feed', 'post', 'comment'] },
      },
      sendTo: ['broadcast', 'cleanup'],
    },
  },
  {
    id: 'CreateReaction',
    methods: ['POST'],
    path: '/api/ventroom/reactions',
    entry: 'lambdas/http/reactions/create.ts',
    rateClass: 'reaction',
    access: {
      table: {
        read: { actions: ['GetItem', 'Query'], partitions: ['feed', 'post', 'comment', 'user'] },
        write: { actions: ['PutItem', 'UpdateItem'], partitions: ['feed', 'post', 'user'] },
      },
      sendTo: ['broadcast', 'notifications'],
    },
  },
  {
    id: 'DeleteReaction',
    methods: ['DELETE'],
    path: '/api/ventroom/reactions',
    entry: 'lambdas/http/reactions/delete.ts',
    rateClass: 'reaction',
    access: {
      table: {
        read: { actions: ['GetItem', 'Query'], partitions: ['feed', 'post', 'comment', 'user'] },
        // Removing a reaction rewrites the counters and the user's state; it deletes no item.
        write: { actions: ['UpdateItem'], partitions: ['feed', 'post', 'user'] },
      },
      sendTo: ['broadcast'],
    },
  },
];

export const httpFallback: HttpFallback = { id: 'NoRoute', entry: 'lambdas/http/no-route.ts', access: {} };

/** A route path as a pattern: `{param}` is one non-empty segment; the trailing slash is optional. */
export function routePattern(path: string): { pattern: RegExp; params: string[]; staticSegments: number } {
  const params: string[] = [];
  const segments = path.split('/').filter(Boolean);
  const source = segments
    .map((segment) => {
      const param = /^\{(\w+)\}$/.exec(segment);
      if (!param) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      params.push(param[1]!);
      return '([^/]+)';
    })
    .join('/');
  return { pattern: new RegExp(`^/${source}/?$`), params, staticSegments: segments.filter((s) => !s.startsWith('{')).length };
}

let routePatterns: { pattern: RegExp; methods: HttpMethod[] }[] | undefined;

/** Every method some route serves at this request path (empty: no route has the path). */
export function methodsAt(rawPath: string): HttpMethod[] {
  // Compiled on first use, once per process: importing the manifest stays plain data.
  routePatterns ??= httpRoutes.map((route) => ({ pattern: routePattern(route.path).pattern, methods: route.methods }));
  const methods = new Set<HttpMethod>();
  for (const route of routePatterns) if (route.pattern.test(rawPath)) for (const method of route.methods) methods.add(method);
  return [...methods];
}

/** The WebSocket routes write only connection and group partitions (a join also checks its post). */
const CONNECTION_WRITES: TableGrant<TableWriteAction> = { actions: ['BatchWriteItem'], partitions: ['connection', 'group'] };
const CONNECTIONS: Access = { table: { read: { actions: ['GetItem'], partitions: ['connection'] }, write: CONNECTION_WRITES } };
/**
 * Client-message routes may close their connection once its message budget is spent: they post
 * the error to it, then delete it (core/ws/socket-budget.ts).
 */
const MESSAGES: Access = { manageConnections: ['POST', 'DELETE'] };
const CONNECTION_MESSAGES: Access = { ...CONNECTIONS, ...MESSAGES };
/** Joins (and recover_user) read where the group stands and replay its missed events (domain/recovery.ts). */
const HISTORY_READS: TableGrant<TableReadAction> = { actions: ['GetItem', 'BatchGetItem'], partitions: ['connection', 'history'] };

export const wsRoutes: WsRoute[] = [
  { id: 'WsConnect', routeKey: '$connect', entry: 'lambdas/ws/connect.ts', returnResponse: false, rateClass: 'none', access: { table: { write: CONNECTION_WRITES } } },
  {
    id: 'WsDisconnect',
    routeKey: '$disconnect',
    entry: 'lambdas/ws/disconnect.ts',
    returnResponse: false,
    rateClass: 'none',
    access: { table: { read: { actions: ['Query'], partitions: ['connection'] }, write: CONNECTION_WRITES } },
  },
  { id: 'WsDefault', routeKey: '$default', entry: 'lambdas/ws/default.ts', returnResponse: true, rateClass: 'socket', access: MESSAGES },
  {
    id: 'JoinVentroom',
    routeKey: 'join_ventroom',
    entry: 'lambdas/ws/join-ventroom.ts',
    returnResponse: true,
    rateClass: 'standard',
    access: { table: { read: HISTORY_READS, write: CONNECTION_WRITES }, ...MESSAGES },
  },
  { id: 'LeaveVentroom', routeKey: 'leave_ventroom', entry: 'lambdas/ws/leave-ventroom.ts', returnResponse: true, rateClass: 'standard', access: CONNECTION_MESSAGES },
  {
    id: 'JoinVentroomPost',
    routeKey: 'join_ventroom_post',
    entry: 'lambdas/ws/join-post.ts',
    returnResponse: true,
    rateClass: 'standard',
    access: { table: { read: { actions: ['GetItem', 'BatchGetItem'], partitions: ['connection', 'feed', 'history'] }, write: CONNECTION_WRITES }, ...MESSAGES },
  },
  { id: 'LeaveVentroomPost', routeKey: 'leave_ventroom_post', entry: 'lambdas/ws/leave-post.ts', returnResponse: true, rateClass: 'standard', access: CONNECTION_MESSAGES },
  { id: 'RecoverUser', routeKey: 'recover_user', entry: 'lambdas/ws/recover-user.ts', returnResponse: true, rateClass: 'standard', access: { table: { read: HISTORY_READS }, ...MESSAGES } },
  { id: 'Ping', routeKey: 'ping', entry: 'lambdas/ws/ping.ts', returnResponse: true, rateClass: 'socket', access: MESSAGES },
];

export const queues: QueueSpec[] = [
  // Live events are worth little a minute late; views and notifications within minutes; cleanup may lag.
  { name: 'broadcast', visibilityTimeoutSeconds: 180, maxReceiveCount: 5, alarmAgeSeconds: 60 },
  { name: 'views', visibilityTimeoutSeconds: 180, maxReceiveCount: 5, alarmAgeSeconds: 300 },
  { name: 'notifications', visibilityTimeoutSeconds: 180, maxReceiveCount: 5, alarmAgeSeconds: 300 },
  { name: 'cleanup', visibilityTimeoutSeconds: 900, maxReceiveCount: 5, alarmAgeSeconds: 3600 },
];

export const consumers: Consumer[] = [
  {
    id: 'BroadcastFanout',
    queue: 'broadcast',
    entry: 'lambdas/workers/broadcast.ts',
    batchSize: 10,
    maxBatchingWindowSeconds: 0,
    timeoutSeconds: 30,
    maxConcurrency: 50,
    // Reads a group's connections; forgets connections that vanished without a $disconnect; gives each
    // event its offsets and stores it in its groups' history (domain/history.ts). Runs the
    // view-counter flushes (core/counters.ts): reads counts and the feed's changed set, moves the ticks.
    // Runs protocol 2's digests (domain/digest.ts): their state, and the events they read from history.
    access: {
      table: {
        read: { actions: ['Query', 'GetItem', 'BatchGetItem'], partitions: ['connection', 'group', 'feed', 'post', 'counter', 'history', 'stamp', 'digest'] },
        write: { actions: ['BatchWriteItem', 'UpdateItem'], partitions: ['connection', 'group', 'post', 'counter', 'history', 'stamp', 'digest'] },
      },
      sendTo: ['broadcast'],
      manageConnections: ['POST'],
    },
  },
  {
    id: 'ViewsCounter',
    queue: 'views',
    entry: 'lambdas/workers/views.ts',
    batchSize: 100,
    maxBatchingWindowSeconds: 2,
    timeoutSeconds: 30,
    maxConcurrency: 10,
    access: {
      table: {
        // Query: whether a post's group has members before its counter flush is claimed (core/counters.ts).
        read: { actions: ['GetItem', 'BatchGetItem', 'Query'], partitions: ['feed', 'trending', 'group'] },
        write: { actions: ['PutItem', 'UpdateItem'], partitions: ['feed', 'post', 'user', 'trending', 'counter'] },
        indexes: [VIEWS_BY_HOUR_INDEX.indexName],
      },
      // Schedules the coalesced counter flushes (core/counters.ts).
      sendTo: ['broadcast'],
    },
  },
  {
    id: 'Cleanup',
    queue: 'cleanup',
    entry: 'lambdas/workers/cleanup.ts',
    batchSize: 5,
    maxBatchingWindowSeconds: 0,
    timeoutSeconds: 120,
    maxConcurrency: 5,
    // `cleanup`: a post too big for one pass continues in a job of its own (workers/cleanup.ts).
    access: {
      table: { read: { actions: ['GetItem', 'Query'], partitions: ['feed', 'post', 'user'] }, write: { actions: ['BatchWriteItem'], partitions: ['post', 'comment', 'user'] } },
      media: ['delete'],
      retractsMedia: true,
      sendTo: ['cleanup'],
    },
  },
  {
    id: 'Notifications',
    queue: 'notifications',
    entry: 'lambdas/workers/notifications.ts',
    batchSize: 10,
    maxBatchingWindowSeconds: 0,
    timeoutSeconds: 30,
    maxConcurrency: 10,
    // Writes the recipient's in-app items and its push throttle (a RATE# window of class "push").
    access: { table: { read: { actions: ['GetItem'], partitions: ['user'] }, write: { actions: ['PutItem', 'UpdateItem'], partitions: ['user', 'rate'] } }, notificationsTopic: true },
  },
];

/** The environment variable a function reads a queue's URL from. */
export function queueUrlVariable(queue: QueueName): string {
  return `${queue.toUpperCase()}_QUEUE_URL`;
}

export function routeById(id: string): HttpRoute {
  const route = httpRoutes.find((candidate) => candidate.id === id);
  if (!route) throw new Error(`No HTTP route "${id}" in the manifest`);
  return route;
}
