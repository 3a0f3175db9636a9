import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyResult, APIGatewayProxyWebsocketEventV2, Context } from 'aws-lambda';
import { logger } from '../core/logger.ts';
import { errorMessage, parseClientMessage } from '../core/ws/handler.ts';
import { socketBudget } from '../core/ws/socket-budget.ts';
import { wsRoutes } from '../manifest.ts';

const KNOWN = wsRoutes.map((route) => route.routeKey).filter((key) => !key.startsWith('$'));

/** `$default`: anything no route took (not JSON, no `type`, an unknown type) gets an `error` reply. */
export const handler = middy<APIGatewayProxyWebsocketEventV2, APIGatewayProxyResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(socketBudget())
  .handler(async (event) => {
    const parsed = parseClientMessage(event.body);
    const text =
      typeof parsed === 'string'
        ? parsed
        : typeof parsed.type !== 'string'
          ? 'Messages need a string "type", e.g. {"type": "join_ventroom"}.'
          : `Unknown message type "${parsed.type}". Known types: ${KNOWN.join(', ')}.`;
    return { statusCode: 200, body: JSON.stringify(errorMessage(text)) };
  }) as unknown as (event: APIGatewayProxyWebsocketEventV2, context: Context) => Promise<APIGatewayProxyResult>;
