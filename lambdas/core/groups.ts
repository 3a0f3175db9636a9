/** The spec's WebSocket group names. */
export const groups = {
  feed: 'ventroom_feed',
  post: (postId: number) => `vent_post_${postId}`,
  user: (userId: string) => `user_${userId}`,
};
