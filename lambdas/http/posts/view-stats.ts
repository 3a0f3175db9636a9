import { httpHandler } from '../../core/http/handler.ts';
import { viewStats } from '../../domain/view-stats.ts';

export const handler = httpHandler('PostViewStats', async ({ principal, idParam }) => ({
  status: 200,
  body: await viewStats(principal, idParam('post_id')),
}));
