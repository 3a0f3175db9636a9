import { httpHandler } from '../../core/http/handler.ts';
import { markAsViewed } from '../../domain/mark-viewed.ts';
import { postIdsInput } from './post-ids-input.ts';

export const handler = httpHandler('MarkPostsViewed', async ({ event, principal }) => ({
  status: 200,
  body: {
    status: 'success',
    tracked_posts: await markAsViewed(principal, await postIdsInput(event)),
    message: 'Views tracked successfully',
  },
}));
