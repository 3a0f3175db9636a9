import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyResult, APIGatewayProxyWebsocketEventV2, Context } from 'aws-lambda';
import { authenticate, verifyToken } from '../core/auth.ts';
import { assertThroughEdge } from '../core/edge-origin.ts';
import { BadRequestError, isAppError } from '../core/errors.ts';
import { groups } from '../core/groups.ts';
import { logger } from '../core/logger.ts';
import { saveConnection, type WsProtocol } from '../repositories/connections.ts';

type ConnectEvent = APIGatewayProxyWebsocketEventV2 & {
  headers?: Record<string, string | undefined>;
  queryStringParameters?: Record<string, string | undefined>;
};

/** `?protocol=2` asks for batched frames (docs/realtime.md); absent or `1`: the spec's one frame per event. */
function protocolOf(value: string | undefined): WsProtocol {
  if (value === undefined || value === '1') return 1;
  if (value === '2') return 2;
  throw new BadRequestError({ detail: 'protocol must be 1 (one frame per event, the default) or 2 (batched frames).' });
}

/**
 * `$connect`: the JWT comes as `?token=` (browsers cannot set headers on a WebSocket) or as an
 * `Authorization: Bearer` header. A non-2xx answer makes API Gateway refuse the upgrade.
 */
export const handler = middy<ConnectEvent, APIGatewayProxyResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    logger.setCorrelationId(event.requestContext.requestId);
    try {
      assertThroughEdge(event.headers);
      const protocol = protocolOf(event.queryStringParameters?.protocol);
      const token = event.queryStringParameters?.token;
      const header = event.headers?.authorization ?? event.headers?.Authorization;
      const principal = token ? await verifyToken(token) : await authenticate(header);
      await saveConnection(event.requestContext.connectionId, principal.id, groups.user(principal.id), Date.now(), protocol);
      return { statusCode: 200, body: '' };
    } catch (error) {
      if (isAppError(error) && error.expose) return { statusCode: error.status, body: JSON.stringify(error.body) };
      logger.error('$connect failed', error as Error);
      return { statusCode: 500, body: JSON.stringify({ detail: 'Internal server error. Please try again later.' }) };
    }
  }) as unknown as (event: ConnectEvent, context: Context) => Promise<APIGatewayProxyResult>;

