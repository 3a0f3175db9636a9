import type { MediaType } from '../core/media-types.ts';
import { mediaUrl } from '../core/media-url.ts';
import { reactionSummary } from '../core/reactions.ts';
import type { CommentRecord } from '../repositories/comment-items.ts';
import type { UserState, UserStates } from '../repositories/user-state.ts';
import { userDto } from './author.ts';

/** A reply as it appears inside its thread's `replies` array: a comment without nested replies. */
export interface ReplyDto {
  id: number;
  user: ReturnType<typeof userDto>;
  parent: number | null;
  text: string;
  media: string | null;
  media_type: MediaType | null;
  created_at: string;
  updated_at: string;
  reaction_summary: ReturnType<typeof reactionSummary>;
  user_reaction: string | null;
}

/** The spec's comment object. */
export type CommentDto = Omit<ReplyDto, 'reaction_summary' | 'user_reaction'> & {
  replies: ReplyDto[];
  reaction_summary: ReplyDto['reaction_summary'];
  user_reaction: string | null;
};

export function replyDto(comment: CommentRecord, state: UserState): ReplyDto {
  return {
    id: comment.id,
    user: userDto(comment.author),
    parent: comment.parentId,
    text: comment.text,
    media: mediaUrl(comment.mediaKey),
    media_type: comment.mediaType,
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
    reaction_summary: reactionSummary(comment.reactions),
    user_reaction: state.reaction,
  };
}

export function commentDto(comment: CommentRecord, state: UserState, replies: ReplyDto[]): CommentDto {
  const { reaction_summary, user_reaction, ...fields } = replyDto(comment, state);
  return { ...fields, replies, reaction_summary, user_reaction };
}

/** A top-level comment with its preview replies (oldest first), as the caller sees them. */
export function threadDto(comment: CommentRecord, previews: CommentRecord[], states: UserStates): CommentDto {
  return commentDto(
    comment,
    states.comment(comment.id),
    previews.map((reply) => replyDto(reply, states.comment(reply.id))),
  );
}
