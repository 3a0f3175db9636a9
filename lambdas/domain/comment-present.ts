import type { CommentRecord } from '../repositories/comment-items.ts';
import { previewsInRange } from '../repositories/comments.ts';
import { userStatesInRange, type UserStates } from '../repositories/user-state.ts';
import { threadDto, type CommentDto } from './comment-dto.ts';

/** One comment as the caller sees it (a top-level one with its preview replies): for write responses. */
export async function presentComment(userId: string, comment: CommentRecord): Promise<CommentDto> {
  const [states, previews]: [UserStates, Map<number, CommentRecord[]>] = await Promise.all([
    userStatesInRange(userId, comment.postId, comment.postId),
    comment.rootId === null && comment.replyCount > 0 ? previewsInRange(comment.postId, comment.id, comment.id) : Promise.resolve(new Map()),
  ]);
  return threadDto(comment, previews.get(comment.id) ?? [], states);
}
