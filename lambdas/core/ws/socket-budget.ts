import { DeleteConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import type middy from '@middy/core';
import type { APIGatewayProxyResult, APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import { logger } from '../logger.ts';
import { serverMessage } from '../messages.ts';
import { consumeSocketBudget } from '../rate-limit.ts';
import { managementApi, sendToConnection } from './management-api.ts';

export const SOCKET_BUDGET_SPENT = 'Too many messages on this connection; it is closed. Reconnect and send fewer.';

/** Tells the sender why, then closes the connection: the flood ends here instead of costing an invocation a message. */
async function closeFlooding(connectionId: string): Promise<void> {
  logger.warn('WebSocket message budget spent: closing the connection', { connectionId });
  try {
    await sendToConnection(connectionId, JSON.stringify(serverMessage('error', { message: SOCKET_BUDGET_SPENT })));
    await managementApi.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
  } catch (error) {
    // Gone: it closed by itself meanwhile. Matched by name, which survives bundling.
    if ((error as Error).name !== 'GoneException') throw error;
  }
}

/**
 * Every client message (ping, `$default`, joins and leaves) spends one unit of its connection's
 * budget (RATE_LIMITS `socket`, per minute) before anything else runs; the first message past it
 * closes the connection. The stage's per-route throttles bound all connections together.
 */
export function socketBudget(): middy.MiddlewareObj<APIGatewayProxyWebsocketEventV2, APIGatewayProxyResult> {
  return {
    before: async (request) => {
      const { connectionId } = request.event.requestContext;
      if (await consumeSocketBudget(connectionId)) return undefined;
      await closeFlooding(connectionId);
      return { statusCode: 200 } as APIGatewayProxyResult;
    },
  };
}
