import { ApiGatewayManagementApiClient, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { envUrl, readEnv } from '../config.ts';

const config = readEnv({ WS_MANAGEMENT_ENDPOINT: envUrl() });

/** The @connections API of the WebSocket stage, for routes that send to their own connection. */
export const managementApi = new ApiGatewayManagementApiClient({ endpoint: config.WS_MANAGEMENT_ENDPOINT });

export async function sendToConnection(connectionId: string, frame: string): Promise<void> {
  await managementApi.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: frame }));
}
