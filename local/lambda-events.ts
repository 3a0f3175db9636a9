import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, SQSRecord } from 'aws-lambda';

/**
 * The shapes in which API Gateway (HTTP API payload v2.0) and the SQS event source mapping hand
 * requests and messages to a Lambda function. The local gateway and poller build them from real
 * requests and messages; benchmarks and tests build them to call handler modules in-process.
 */
export interface HttpEventInput {
  method: string;
  /** The route's path template, e.g. /api/ventroom/posts/{post_id} (the route key), or `$default`. */
  routePath: string;
  /** The request path as sent, e.g. /api/ventroom/posts/12/. */
  rawPath: string;
  rawQueryString?: string;
  /** Lower-case names; repeated headers joined with commas, as API Gateway does. */
  headers: Record<string, string>;
  cookies?: string[];
  pathParameters?: Record<string, string>;
  /** The body bytes; text content types travel as text, anything else base64-encoded. */
  body?: Buffer;
  sourceIp?: string;
  protocol?: string;
  apiId?: string;
}

/** API Gateway passes text bodies as they are and base64-encodes anything binary (multipart too). */
export function isTextual(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return (
    type === '' ||
    type.startsWith('text/') ||
    type === 'application/json' ||
    type.endsWith('+json') ||
    type === 'application/xml' ||
    type.endsWith('+xml') ||
    type === 'application/javascript' ||
    type === 'application/x-www-form-urlencoded'
  );
}

export function httpApiEvent(input: HttpEventInput): APIGatewayProxyEventV2 {
  const query: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(input.rawQueryString ?? '')) {
    query[name] = query[name] === undefined ? value : `${query[name]},${value}`;
  }
  const host = input.headers.host ?? 'localhost';
  const body = input.body ?? Buffer.alloc(0);
  const textual = isTextual(input.headers['content-type']);
  const now = new Date();
  const routeKey = input.routePath === '$default' ? '$default' : `${input.method} ${input.routePath}`;
  return {
    version: '2.0',
    routeKey,
    rawPath: input.rawPath,
    rawQueryString: input.rawQueryString ?? '',
    cookies: input.cookies?.length ? input.cookies : undefined,
    headers: input.headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    pathParameters: input.pathParameters && Object.keys(input.pathParameters).length ? input.pathParameters : undefined,
    requestContext: {
      accountId: '000000000000',
      apiId: input.apiId ?? 'local',
      domainName: host,
      domainPrefix: host.split('.')[0]!,
      http: {
        method: input.method,
        path: input.rawPath,
        protocol: input.protocol ?? 'HTTP/1.1',
        sourceIp: input.sourceIp ?? '127.0.0.1',
        userAgent: input.headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    body: body.length === 0 ? undefined : textual ? body.toString('utf8') : body.toString('base64'),
    isBase64Encoded: body.length > 0 && !textual,
  };
}

export interface SqsRecordInput {
  body: string;
  messageId?: string;
  receiptHandle?: string;
  receiveCount?: number;
  sentTimestamp?: string;
  firstReceiveTimestamp?: string;
  senderId?: string;
  messageAttributes?: SQSRecord['messageAttributes'];
  md5OfBody?: string;
  queueArn?: string;
  region?: string;
}

export function sqsRecord(input: SqsRecordInput): SQSRecord {
  const now = String(Date.now());
  return {
    messageId: input.messageId ?? randomUUID(),
    receiptHandle: input.receiptHandle ?? randomUUID(),
    body: input.body,
    attributes: {
      ApproximateReceiveCount: String(input.receiveCount ?? 1),
      SentTimestamp: input.sentTimestamp ?? now,
      SenderId: input.senderId ?? 'local',
      ApproximateFirstReceiveTimestamp: input.firstReceiveTimestamp ?? now,
    },
    messageAttributes: input.messageAttributes ?? {},
    md5OfBody: input.md5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: input.queueArn ?? 'arn:aws:sqs:us-east-1:000000000000:local',
    awsRegion: input.region ?? 'us-east-1',
  };
}
