import { timingSafeEqual } from 'node:crypto';
import { envOptional, readEnv } from './config.ts';
import { PermissionDeniedError } from './errors.ts';

/** The header the API's CloudFront distribution adds to every request it forwards (lib/edge.ts). */
export const EDGE_SECRET_HEADER = 'x-ventroom-edge';

const config = readEnv({
  /** Set when the API sits behind the edge (CloudFront + WAF): requests without it went around the web ACL. */
  EDGE_ORIGIN_SECRET: envOptional(),
});

const expected = config.EDGE_ORIGIN_SECRET ? Buffer.from(config.EDGE_ORIGIN_SECRET) : undefined;

function matches(expected: Buffer, sent: string | undefined): boolean {
  const got = Buffer.from(sent ?? '');
  return got.length === expected.length && timingSafeEqual(got, expected);
}

/**
 * Refuses a request that reached API Gateway directly (the execute-api URL) instead of through the
 * distribution, before any token check or table access: the per-IP limits live in the web ACL.
 */
export function assertThroughEdge(headers: Record<string, string | undefined> | undefined): void {
  if (!expected) return;
  // HTTP API events carry lower-case names; a WebSocket $connect event keeps the sender's case.
  const name = Object.keys(headers ?? {}).find((key) => key.toLowerCase() === EDGE_SECRET_HEADER);
  if (!matches(expected, name === undefined ? undefined : headers?.[name])) throw new PermissionDeniedError('Use the API through its published URL.');
}
