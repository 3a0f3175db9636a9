import { wsMessageHandler } from '../core/ws/handler.ts';
import { groups } from '../core/groups.ts';
import { serverMessage } from '../core/messages.ts';
import { joinGroup } from '../repositories/connections.ts';

export const handler = wsMessageHandler('JoinVentroom', async ({ connectionId, userId, expiresAt }) => {
  await joinGroup(connectionId, groups.feed, userId, expiresAt);
  return serverMessage('ventroom_joined', { message: 'Successfully joined Ventroom', user_id: userId });
});
