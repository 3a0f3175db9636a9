import { mediaUrl } from '../core/media-url.ts';
import { reactionSummary } from '../core/reactions.ts';
import type { CommentRecord } from '../repositories/comment-items.ts';
import type { UserState, UserStates } from '../repositories/user-state.ts';
import { userDto } from './author.ts';
import type { CommentDto, ReplyDto } from './dto-schemas.ts';

/** Reply and comment objects: their schemas are in dto-schemas.ts. */
export type { CommentDto, ReplyDto };

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
