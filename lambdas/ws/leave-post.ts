import { wsMessageHandler } from '../core/ws/handler.ts';
import { groups } from '../core/groups.ts';
import { leaveGroup } from '../repositories/connections.ts';
import { postIdOf } from './post-id.ts';

export const handler = wsMessageHandler('LeaveVentroomPost', async ({ connectionId, data }) => {
  await leaveGroup(connectionId, groups.post(postIdOf(data)));
  return undefined;
});
