import { wsMessageHandler } from '../core/ws/handler.ts';
import { groups } from '../core/groups.ts';
import { serverMessage, withStanding } from '../core/messages.ts';
import { recoverInto } from '../domain/recovery.ts';
import { sinceOf } from './since.ts';

/**
 * The user's own group is joined at `$connect`, before the client can say anything: this is where
 * it asks for what that group sent while it was away (or, without data, where the group stands).
 */
export const handler = wsMessageHandler('RecoverUser', async ({ connectionId, userId, protocol, data }) => {
  const standing = await recoverInto(connectionId, groups.user(userId), sinceOf(data), protocol);
  return withStanding(serverMessage('user_recovered', { group: standing.group }), standing);
});
