import middy from '@middy/core';
import type { APIGatewayProxyResult, APIGatewayProxyWebsocketEventV2, Context } from 'aws-lambda';
import { serverMessage } from '../core/messages.ts';

/** Keep-alive (API Gateway drops a connection idle for 10 minutes): no table read, just a `pong`. */
export const handler = middy<APIGatewayProxyWebsocketEventV2, APIGatewayProxyResult>().handler(async () => ({
  statusCode: 200,
  body: JSON.stringify(serverMessage('pong', {})),
})) as unknown as (event: APIGatewayProxyWebsocketEventV2, context: Context) => Promise<APIGatewayProxyResult>;
