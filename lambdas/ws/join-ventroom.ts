import { wsMessageHandler } from '../core/ws/handler.ts';
import { groups } from '../core/groups.ts';
import { serverMessage, withStanding } from '../core/messages.ts';
import { recoverInto } from '../domain/recovery.ts';
import { joinGroup } from '../repositories/connections.ts';
import { sinceOf } from './since.ts';

export const handler = wsMessageHandler('JoinVentroom', async ({ connectionId, userId, expiresAt, protocol, data }) => {
  const since = sinceOf(data);
  await joinGroup(connectionId, groups.feed, userId, expiresAt, protocol);
  const standing = await recoverInto(connectionId, groups.feed, since, protocol);
  return withStanding(serverMessage('ventroom_joined', { message: 'Successfully joined Ventroom', user_id: userId }), standing);
});
