import { NotFoundError } from '../core/errors.ts';
import { wsMessageHandler } from '../core/ws/handler.ts';
import { groups } from '../core/groups.ts';
import { serverMessage } from '../core/messages.ts';
import { joinGroup } from '../repositories/connections.ts';
import { postExists } from '../repositories/posts.ts';
import { postIdOf } from './post-id.ts';

export const handler = wsMessageHandler('JoinVentroomPost', async ({ connectionId, userId, expiresAt, data }) => {
  const postId = postIdOf(data);
  if (!(await postExists(postId))) throw new NotFoundError(`Post ${postId} not found.`);
  await joinGroup(connectionId, groups.post(postId), userId, expiresAt);
  return serverMessage('ventroom_post_joined', { post_id: postId, message: 'Successfully joined Ventroom post' });
});
