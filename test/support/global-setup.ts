import 'vitest';
import type { TestProject } from 'vitest/node';
import { startTwin, type Twin } from '../../local/twin.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    twin: TwinInfo;
  }
}

/** What test files need of the twin; plain data, it crosses into the test workers. */
export interface TwinInfo {
  httpUrl: string;
  wsUrl: string;
  managementEndpoint: string;
  endpoints: Twin['endpoints'];
  region: string;
  tableName: string;
  bucket: string;
  topicArn: string;
  queues: Twin['queues'];
  env: Record<string, string>;
}

let twin: Twin | undefined;

/** One twin for the whole run: random ports, in-memory data, fast retries of failed messages. */
export async function setup(project: TestProject) {
  twin = await startTwin({ port: 0, wsPort: 0, dataDir: null, retryDelaySeconds: 1 });
  const env: Record<string, string> = {};
  for (const name of Object.keys(process.env)) {
    if (/^(AWS_|TABLE_NAME|MEDIA_|S3_|JWT_|JWKS_|ADMIN_GROUP|GROUPS_CLAIM|DYNAMODB_|WS_MANAGEMENT|NOTIFICATIONS_|.*_QUEUE_URL$|RATE_LIMITS)/.test(name)) {
      env[name] = process.env[name]!;
    }
  }
  project.provide('twin', {
    httpUrl: twin.httpUrl,
    wsUrl: twin.wsUrl,
    managementEndpoint: twin.managementEndpoint,
    endpoints: twin.endpoints,
    region: twin.region,
    tableName: twin.tableName,
    bucket: twin.bucket,
    topicArn: twin.topicArn,
    queues: twin.queues,
    env,
  });
}

export async function teardown() {
  await twin?.stop();
}
