import { commentKeys, type Key } from '../../lambdas/core/keys.ts';
import { storedItem } from './items.ts';

/**
 * Where a comment's item is, from its id lookup item (`CMT#<id>`: post, thread root, placement), so
 * a floor can size exactly the comment items a response shows.
 */
export async function commentItemKey(postId: number, commentId: number): Promise<Key> {
  const lookup = await storedItem(commentKeys.lookup(commentId));
  const rootId = lookup?.root_id as number | undefined;
  if (!lookup || rootId === undefined) return commentKeys.topLevel(postId, commentId);
  return lookup.placement === 'preview' ? commentKeys.previewReply(postId, rootId, commentId) : commentKeys.laterReply(postId, rootId, commentId);
}
