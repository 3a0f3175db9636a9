import { httpHandler } from '../../core/http/handler.ts';
import { trendingPosts } from '../../domain/trending.ts';

export const handler = httpHandler('TrendingPosts', async ({ principal }) => ({
  status: 200,
  body: await trendingPosts(principal),
}));
