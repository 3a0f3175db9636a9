import type { Principal } from '../core/auth.ts';
import { NotFoundError, PermissionDeniedError } from '../core/errors.ts';
import { findPost, type StoredPost } from '../repositories/posts.ts';
import { mayModify } from './author.ts';

/** Loads a post a caller wants to change, enforcing owner-or-admin (404 before 403, as DRF does). */
export async function modifiablePost(principal: Principal, postId: number): Promise<StoredPost> {
  const stored = await findPost(postId, true);
  if (!stored) throw new NotFoundError();
  if (!mayModify(principal, stored.post.author)) throw new PermissionDeniedError();
  return stored;
}
