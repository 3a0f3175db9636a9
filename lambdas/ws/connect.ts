import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyResult, APIGatewayProxyWebsocketEventV2, Context } from 'aws-lambda';
import { authenticate, verifyToken } from '../core/auth.ts';
import { assertThroughEdge } from '../core/edge-origin.ts';
import { isAppError } from '../core/errors.ts';
import { groups } from '../core/groups.ts';
import { logger } from '../core/logger.ts';
import { saveConnection } from '../repositories/connections.ts';

type ConnectEvent = APIGatewayProxyWebsocketEventV2 & {
  headers?: Record<string, string | undefined>;
  queryStringParameters?: Record<string, string | undefined>;
};

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
      const token = event.queryStringParameters?.token;
      const header = event.headers?.authorization ?? event.headers?.Authorization;
      const principal = token ? await verifyToken(token) : await authenticate(header);
      await saveConnection(event.requestContext.connectionId, principal.id, groups.user(principal.id));
      return { statusCode: 200, body: '' };
    } catch (error) {
      if (isAppError(error) && error.expose) return { statusCode: error.status, body: JSON.stringify(error.body) };
      logger.error('$connect failed', error as Error);
      return { statusCode: 500, body: JSON.stringify({ detail: 'Internal server error. Please try again later.' }) };
    }
  }) as unknown as (event: ConnectEvent, context: Context) => Promise<APIGatewayProxyResult>;

