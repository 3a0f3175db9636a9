import type { Principal } from '../core/auth.ts';
import { NotFoundError, PermissionDeniedError } from '../core/errors.ts';
import { findComment, type LocatedComment } from '../repositories/comments.ts';
import { postExists } from '../repositories/posts.ts';
import { mayModify } from './author.ts';

/** Loads a comment a caller wants to change, enforcing owner-or-admin (404 before 403, as DRF does). */
export async function modifiableComment(principal: Principal, postId: number, commentId: number): Promise<LocatedComment> {
  const [located, postThere] = await Promise.all([findComment(commentId), postExists(postId)]);
  if (!located || !postThere || located.location.postId !== postId) throw new NotFoundError();
  if (!mayModify(principal, located.comment.author)) throw new PermissionDeniedError();
  return located;
}
