import { httpHandler } from '../../core/http/handler.ts';
import { createPost } from '../../domain/post-create.ts';
import { postInput } from './post-input.ts';

export const handler = httpHandler('CreatePost', async ({ event, principal }) => {
  const input = await postInput(event, false);
  return { status: 201, body: await createPost(principal, { title: input.title ?? '', content: input.content!, media: input.media }) };
});
