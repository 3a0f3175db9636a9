import { NotFoundError } from '../core/errors.ts';
import { wsMessageHandler } from '../core/ws/handler.ts';
import { groups } from '../core/groups.ts';
import { serverMessage, withStanding } from '../core/messages.ts';
import { recoverInto } from '../domain/recovery.ts';
import { joinGroup } from '../repositories/connections.ts';
import { postExists } from '../repositories/posts.ts';
import { postIdOf } from './post-id.ts';
import { sinceOf } from './since.ts';

export const handler = wsMessageHandler('JoinVentroomPost', async ({ connectionId, userId, expiresAt, protocol, data }) => {
  const postId = postIdOf(data);
  const since = sinceOf(data);
  if (!(await postExists(postId))) throw new NotFoundError(`Post ${postId} not found.`);
  await joinGroup(connectionId, groups.post(postId), userId, expiresAt, protocol);
  const standing = await recoverInto(connectionId, groups.post(postId), since, protocol);
  return withStanding(serverMessage('ventroom_post_joined', { post_id: postId, message: 'Successfully joined Ventroom post' }), standing);
});
