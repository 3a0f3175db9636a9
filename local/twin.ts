import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { consumers, queueUrlVariable, type QueueName } from '../lambdas/manifest.ts';
import { installAwsCallRecorder } from './aws-call-recorder.ts';
import { hostPolicy } from './host-check.ts';
import { createDevIssuer, TokenRequestError, type DevIssuer } from './dev-issuer.ts';
import { devPageEndpoints } from './dev-pages.ts';
import { assertPortFree, freePort, startDynamoDbLocal, startSqsS3, TwinStartError, type Emulator } from './emulators.ts';
import { startHttpGateway, type HttpGateway } from './http-gateway.ts';
import { loadHandler, setTimeoutScale } from './lambda-runtime.ts';
import { ensureBucket, ensureQueues, ensureTable, ensureTopic, type QueueUrls } from './resources.ts';
import { startPoller, type Poller } from './sqs-poller.ts';
import { startWsGateway, type WsGateway } from './ws-gateway.ts';

export { TwinStartError };

/**
 * The offline twin: the real handlers behind a local API Gateway (HTTP + WebSocket), against
 * DynamoDB Local and fauxqs, with SQS event source mappings and a dev JWT issuer. Services named by
 * the SDK's AWS_ENDPOINT_URL_DYNAMODB / _SQS / _S3 / _SNS variables are used instead of embedded ones.
 */
export interface TwinOptions {
  /** HTTP port (0: any free port). */
  port?: number;
  /** WebSocket port (0: any free port). */
  wsPort?: number;
  /** Where data persists across restarts; `null` keeps everything in memory (a temp dir for keys). */
  dataDir?: string | null;
  host?: string;
  /** Host names the twin answers besides loopback and `host` (DNS rebinding guard: local/host-check.ts). */
  allowedHosts?: string[];
  /** Make failed queue messages visible again after this many seconds (tests); default: AWS semantics. */
  retryDelaySeconds?: number;
  /** Fault injection: hand every queue message to its consumer this many times (default 1: off). */
  deliveryCopies?: number;
  /** Multiply every function's timeout (load tests on a saturated machine: local/lambda-runtime.ts); default 1. */
  timeoutScale?: number;
  /** Concurrent batches per queue consumer (Lambda scales pollers; default 4). */
  pollerParallelism?: number;
  /** API Gateway's WebSocket idle timeout (10 minutes) and connection cap (2 hours), shorter for client tests. */
  wsIdleTimeoutMs?: number;
  wsMaxDurationMs?: number;
  /** Fault injection (local/ws-gateway.ts): the share of `$disconnect`s dropped, and `@connections` calls per second before 429. */
  wsDisconnectDropRate?: number;
  connectionsRatePerSecond?: number;
  /** Extra environment for the handlers (rate limits, log level, ...). */
  env?: Record<string, string>;
  /** Tests: record every AWS call of every function into this directory (local/aws-call-recorder.ts). */
  recordIamCallsTo?: string;
}

export interface Twin {
  httpUrl: string;
  wsUrl: string;
  managementEndpoint: string;
  endpoints: { dynamodb: string; sqs: string; s3: string; sns: string };
  region: string;
  tableName: string;
  bucket: string;
  topicArn: string;
  queues: QueueUrls;
  issuer: DevIssuer;
  /** Where the twin keeps its data and the dev issuer's key (a temporary directory for in-memory twins). */
  dataDir: string;
  /** The configuration the handlers run with (what the CDK stack sets in AWS, pointing at local services). */
  handlerEnv: Record<string, string>;
  /** Resolves once no queue has a visible or in-flight message, no batch is being handled and no WebSocket route (a $disconnect) is running or waiting. */
  drain(timeoutMs?: number): Promise<void>;
  connectionCount(): number;
  stop(): Promise<void>;
}

const REGION = 'us-east-1';
const NAME = 'ventroom';

function sdkConfig(endpoint: string) {
  return { region: REGION, endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
}

export async function startTwin(options: TwinOptions = {}): Promise<Twin> {
  const cleanups: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error) => console.error('[twin] stop step failed', error));
    cleanups.length = 0;
  };
  try {
    setTimeoutScale(options.timeoutScale ?? 1);
    const host = options.host ?? '127.0.0.1';
    // Port 0 means "any free port"; it is chosen up front because URLs handed to the handlers
    // (media base, token issuer) must name it before they load.
    const port = options.port === 0 ? await freePort() : (options.port ?? 3000);
    const wsPort = options.wsPort === 0 ? await freePort() : (options.wsPort ?? 3001);
    await assertPortFree(port, 'HTTP');
    await assertPortFree(wsPort, 'WebSocket');

    let dataDir: string;
    let persistent = true;
    if (options.dataDir === null) {
      dataDir = await mkdtemp(path.join(os.tmpdir(), 'ventroom-'));
      persistent = false;
      cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    } else {
      dataDir = path.resolve(options.dataDir ?? '.ventroom');
      await mkdir(dataDir, { recursive: true });
    }

    let dynamodb = process.env.AWS_ENDPOINT_URL_DYNAMODB;
    if (!dynamodb) {
      const emulator: Emulator = await startDynamoDbLocal({ dataDir: persistent ? path.join(dataDir, 'dynamodb') : undefined });
      cleanups.push(() => emulator.stop());
      dynamodb = emulator.endpoint;
    }
    let sqsEndpoint = process.env.AWS_ENDPOINT_URL_SQS;
    let s3Endpoint = process.env.AWS_ENDPOINT_URL_S3;
    let snsEndpoint = process.env.AWS_ENDPOINT_URL_SNS;
    if (!sqsEndpoint || !s3Endpoint || !snsEndpoint) {
      const emulator = await startSqsS3({ dataDir: persistent ? path.join(dataDir, 'fauxqs') : undefined });
      cleanups.push(() => emulator.stop());
      sqsEndpoint ??= emulator.endpoint;
      s3Endpoint ??= emulator.endpoint;
      snsEndpoint ??= emulator.endpoint;
    }

    const tableName = NAME;
    const bucket = `${NAME}-media`;
    const sqs = new SQSClient({ ...sdkConfig(sqsEndpoint), useQueueUrlAsEndpoint: false });
    const s3 = new S3Client({ ...sdkConfig(s3Endpoint), forcePathStyle: true });
    await ensureTable(new DynamoDBClient(sdkConfig(dynamodb)), tableName);
    const queueUrls = await ensureQueues(sqs, NAME);
    await ensureBucket(s3, bucket);
    const topicArn = await ensureTopic(new SNSClient(sdkConfig(snsEndpoint)), `${NAME}-notifications`);

    // A fixed issuer (not the port, which may change): tokens stay valid across restarts, as the key does.
    const issuerUrl = 'https://ventroom.invalid/dev-issuer';
    const issuer = await createDevIssuer({ dataDir, issuer: issuerUrl, audience: `${NAME}-local` });

    // The handlers' configuration: exactly what the CDK stack sets in AWS, with local endpoints.
    // Set before any handler module loads (they read it once, at "cold start").
    const handlerEnv: Record<string, string> = {
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'local',
      AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
      AWS_ENDPOINT_URL_DYNAMODB: dynamodb,
      AWS_ENDPOINT_URL_SQS: sqsEndpoint,
      AWS_ENDPOINT_URL_S3: s3Endpoint,
      AWS_ENDPOINT_URL_SNS: snsEndpoint,
      TABLE_NAME: tableName,
      MEDIA_BUCKET: bucket,
      S3_FORCE_PATH_STYLE: 'true',
      NOTIFICATIONS_TOPIC_ARN: topicArn,
      JWT_ISSUER: issuer.issuer,
      JWT_AUDIENCE: issuer.audience,
      JWKS_URI: `${issuerUrl}/.well-known/jwks.json`,
      JWKS_JSON: JSON.stringify(issuer.jwks),
      ADMIN_GROUP: issuer.adminGroup,
      GROUPS_CLAIM: issuer.groupsClaim,
      DYNAMODB_CAPACITY_METER: process.env.DYNAMODB_CAPACITY_METER ?? 'true',
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'ERROR',
      ...Object.fromEntries(Object.entries(queueUrls.main).map(([name, url]) => [queueUrlVariable(name as QueueName), url])),
      MEDIA_BASE_URL: `http://${host}:${port}/media`,
      WS_MANAGEMENT_ENDPOINT: `http://${host}:${wsPort}`,
      ...options.env,
    };
    Object.assign(process.env, handlerEnv);
    if (options.recordIamCallsTo) installAwsCallRecorder(options.recordIamCallsTo);

    const hosts = hostPolicy(host, options.allowedHosts);
    const ws = await startWsGateway({
      port: wsPort,
      host,
      hosts,
      idleTimeoutMs: options.wsIdleTimeoutMs,
      maxDurationMs: options.wsMaxDurationMs,
      disconnectDropRate: options.wsDisconnectDropRate,
      connectionsRatePerSecond: options.connectionsRatePerSecond,
    });
    cleanups.push(() => ws.close());

    const pollers: Poller[] = [];
    const media = { s3, bucket };
    const localEndpoints = {
      'GET /local/health': async () => {
        const faults = ws.faults();
        return { status: 200, body: { status: 'ok', http: `http://${host}:${port}`, ws: ws.url, faults: { connections_throttled: faults.throttledCalls, disconnects_dropped: faults.droppedDisconnects } } };
      },
      'POST /local/token': async (_request: unknown, body: Buffer) => {
        let request: unknown;
        try {
          request = body.length ? JSON.parse(body.toString('utf8')) : {};
        } catch {
          return { status: 400, body: { detail: 'Body must be JSON' } };
        }
        try {
          return { status: 200, body: await issuer.mint((request ?? {}) as Record<string, unknown>) };
        } catch (error) {
          if (error instanceof TokenRequestError) return { status: 400, body: { detail: error.message } };
          throw error;
        }
      },
      'GET /local/jwks.json': async () => ({ status: 200, body: issuer.jwks }),
      // Waits until every queue is empty and no batch is running: "background work is done".
      'POST /local/drain': async () => {
        await drain(50_000);
        return { status: 200, body: { status: 'drained' } };
      },
      // The API reference (/local/docs) and the live console (/local/console).
      ...devPageEndpoints(),
    };
    const gateway: HttpGateway = await startHttpGateway({ port, host, hosts, localEndpoints, media });
    cleanups.push(() => gateway.close());

    for (const consumer of consumers) {
      const queueUrl = queueUrls.main[consumer.queue];
      const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
      pollers.push(
        startPoller({
          sqs,
          queueUrl,
          queueArn: Attributes!.QueueArn!,
          region: REGION,
          consumer,
          handler: await loadHandler(consumer.entry),
          parallelism: options.pollerParallelism ?? Math.min(4, consumer.maxConcurrency),
          retryDelaySeconds: options.retryDelaySeconds,
          deliveryCopies: options.deliveryCopies,
          onError: (error) => console.error(`[twin] ${consumer.id} batch failed`, error),
        }),
      );
    }
    cleanups.push(async () => {
      await Promise.all(pollers.map((poller) => poller.stop()));
    });

    async function drain(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      let quietRounds = 0;
      while (Date.now() < deadline) {
        let pending = pollers.reduce((sum, poller) => sum + poller.busy(), 0) + ws.busy();
        for (const url of Object.values(queueUrls.main)) {
          const { Attributes } = await sqs.send(
            new GetQueueAttributesCommand({
              QueueUrl: url,
              AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
            }),
          );
          // Delayed messages are work scheduled for later on purpose (cleanup's second pass): not waited for.
          pending += Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
        }
        quietRounds = pending === 0 ? quietRounds + 1 : 0;
        // Two quiet looks in a row: a batch may have just enqueued follow-up work.
        if (quietRounds >= 2) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`Queues did not drain within ${timeoutMs} ms`);
    }

    return {
      httpUrl: gateway.url,
      wsUrl: ws.url,
      managementEndpoint: ws.managementEndpoint,
      endpoints: { dynamodb, sqs: sqsEndpoint, s3: s3Endpoint, sns: snsEndpoint },
      region: REGION,
      tableName,
      bucket,
      topicArn,
      queues: queueUrls,
      issuer,
      dataDir,
      handlerEnv,
      drain,
      connectionCount: () => ws.connectionCount(),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
