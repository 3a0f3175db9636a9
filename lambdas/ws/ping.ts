import middy from '@middy/core';
import type { APIGatewayProxyResult, APIGatewayProxyWebsocketEventV2, Context } from 'aws-lambda';
import { serverMessage } from '../core/messages.ts';
import { socketBudget } from '../core/ws/socket-budget.ts';

/** Keep-alive (API Gateway drops a connection idle for 10 minutes): no table read, one budget write, a `pong`. */
export const handler = middy<APIGatewayProxyWebsocketEventV2, APIGatewayProxyResult>()
  .use(socketBudget())
  .handler(async () => ({
  statusCode: 200,
  body: JSON.stringify(serverMessage('pong', {})),
})) as unknown as (event: APIGatewayProxyWebsocketEventV2, context: Context) => Promise<APIGatewayProxyResult>;
