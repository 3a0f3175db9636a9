import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyResult, APIGatewayProxyWebsocketEventV2, Context } from 'aws-lambda';
import { isAppError } from '../errors.ts';
import { logger } from '../logger.ts';
import { serverMessage, type ServerMessage } from '../messages.ts';
import { consumeRateLimit } from '../rate-limit.ts';
import { connectionUser, type WsProtocol } from '../../repositories/connections.ts';
import { socketBudget } from './socket-budget.ts';

/** A client message, as the business function of a WebSocket route sees it. */
export interface WsMessage {
  connectionId: string;
  userId: string;
  /** When the connection's items expire (memberships it creates expire with it). */
  expiresAt: number;
  /** What the connection asked for at `$connect`: 1, one frame per event; 2, batched frames. */
  protocol: WsProtocol;
  /** The message's `data` member (undefined when absent). */
  data: unknown;
  type: string;
}

type WsResult = APIGatewayProxyResult;
type Handler = (event: APIGatewayProxyWebsocketEventV2, context: Context) => Promise<WsResult>;

/** An `error` message to the sender; the socket stays open. */
export function errorMessage(text: string): ServerMessage {
  return serverMessage('error', { message: text });
}

function reply(message: ServerMessage | undefined): WsResult {
  // Message routes are two-way: API Gateway sends this body back to the caller.
  return message ? { statusCode: 200, body: JSON.stringify(message) } : ({ statusCode: 200 } as WsResult);
}

export function parseClientMessage(body: string | undefined): { type?: unknown; data?: unknown } | string {
  try {
    const parsed = JSON.parse(body ?? '') as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'Messages must be JSON objects like {"type": "join_ventroom"}.';
    return parsed as { type?: unknown; data?: unknown };
  } catch {
    return 'Invalid JSON. Messages must be JSON objects like {"type": "join_ventroom"}.';
  }
}

/**
 * The shared pipeline of client-message routes: logging, the sender's identity (stored at $connect),
 * and errors turned into `error` messages instead of dropped sockets.
 */
export function wsMessageHandler(routeId: string, business: (message: WsMessage) => Promise<ServerMessage | undefined>): Handler {
  return middy<APIGatewayProxyWebsocketEventV2, WsResult>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(socketBudget())
    .handler(async (event) => {
      logger.setCorrelationId(event.requestContext.requestId);
      logger.appendKeys({ route: routeId, connectionId: event.requestContext.connectionId });
      try {
        const parsed = parseClientMessage(event.body);
        if (typeof parsed === 'string') return reply(errorMessage(parsed));
        const connection = await connectionUser(event.requestContext.connectionId);
        if (!connection) return reply(errorMessage('This connection is not registered; reconnect.'));
        // Joins and leaves write to the table: they share the user's standard budget with HTTP reads.
        await consumeRateLimit(connection.userId, 'standard');
        return reply(
          await business({
            connectionId: event.requestContext.connectionId,
            userId: connection.userId,
            expiresAt: connection.ttl,
            protocol: connection.protocol,
            data: parsed.data,
            type: String(parsed.type),
          }),
        );
      } catch (error) {
        if (isAppError(error) && error.expose) {
          const detail = (error.body as { detail?: unknown }).detail;
          return reply(errorMessage(typeof detail === 'string' ? detail : JSON.stringify(error.body)));
        }
        logger.error('WebSocket route failed', error as Error);
        return reply(errorMessage('Internal server error. Please try again later.'));
      }
    }) as unknown as Handler;
}
