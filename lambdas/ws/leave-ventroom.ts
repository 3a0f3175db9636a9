import { wsMessageHandler } from '../core/ws/handler.ts';
import { groups } from '../core/groups.ts';
import { leaveGroup } from '../repositories/connections.ts';

/** The spec documents no reply to a leave; none is sent. */
export const handler = wsMessageHandler('LeaveVentroom', async ({ connectionId }) => {
  await leaveGroup(connectionId, groups.feed);
  return undefined;
});
