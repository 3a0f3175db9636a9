import { mediaUrl } from '../core/media-url.ts';
import { reactionSummary } from '../core/reactions.ts';
import type { StoredPost } from '../repositories/posts.ts';
import type { UserState } from '../repositories/user-state.ts';
import { userDto } from './author.ts';
import type { PostDto } from './dto-schemas.ts';

/** The spec's post object: its schema is in dto-schemas.ts. */
export type { PostDto };

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
