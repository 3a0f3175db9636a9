import type { MediaType } from '../core/media-types.ts';
import { mediaUrl } from '../core/media-url.ts';
import { reactionSummary } from '../core/reactions.ts';
import type { StoredPost } from '../repositories/posts.ts';
import type { UserState } from '../repositories/user-state.ts';
import { userDto } from './author.ts';

/** The spec's post object. */
export interface PostDto {
  id: number;
  user: ReturnType<typeof userDto>;
  title: string;
  content: string;
  media: string | null;
  media_type: MediaType | null;
  created_at: string;
  updated_at: string;
  views: number;
  has_viewed: boolean;
  comment_count: number;
  reaction_summary: ReturnType<typeof reactionSummary>;
  user_reaction: string | null;
}

export function postDto({ post, stats }: StoredPost, state: UserState): PostDto {
  return {
    id: post.id,
    user: userDto(post.author),
    title: post.title,
    content: post.content,
    media: mediaUrl(post.mediaKey),
    media_type: post.mediaType,
    created_at: post.createdAt,
    updated_at: post.updatedAt,
    views: stats.views,
    has_viewed: state.viewed,
    comment_count: stats.commentCount,
    reaction_summary: reactionSummary(stats.reactions),
    user_reaction: state.reaction,
  };
}
