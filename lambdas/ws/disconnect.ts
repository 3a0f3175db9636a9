import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyResult, APIGatewayProxyWebsocketEventV2, Context } from 'aws-lambda';
import { logger } from '../core/logger.ts';
import { removeConnection } from '../repositories/connections.ts';

/** `$disconnect`: forget the connection and all its memberships (best effort: TTL is the backstop). */
export const handler = middy<APIGatewayProxyWebsocketEventV2, APIGatewayProxyResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    await removeConnection(event.requestContext.connectionId);
    return { statusCode: 200, body: '' };
  }) as unknown as (event: APIGatewayProxyWebsocketEventV2, context: Context) => Promise<APIGatewayProxyResult>;
