import { commentKeys, type Key } from '../core/keys.ts';
import type { MediaType } from '../core/media-types.ts';
import { REACTION_ATTRIBUTES, REACTION_TYPES, reactionCountsOf, type ReactionCounts } from '../core/reactions.ts';
import type { Author } from '../domain/author.ts';

/**
 * Where a comment item sits in its post's partition: a top-level comment (`C#`), one of the three
 * oldest replies of its thread (`RP#`, the list preview) or a later reply (`R#`). A reply belongs to
 * the thread of its root: the top-level comment it hangs under, however deep the reply chain.
 */
export type Placement = 'top' | 'preview' | 'later';

export interface CommentLocation {
  commentId: number;
  postId: number;
  /** The thread's top-level comment; null for a top-level comment itself. */
  rootId: number | null;
  placement: Placement;
}

export interface CommentRecord {
  id: number;
  postId: number;
  /** The comment the client replied to (may itself be a reply); null for top-level comments. */
  parentId: number | null;
  rootId: number | null;
  author: Author;
  text: string;
  mediaKey: string | null;
  mediaType: MediaType | null;
  createdAt: string;
  updatedAt: string;
  reactions: ReactionCounts;
  /** Replies in the thread (top-level comments only). */
  replyCount: number;
  /** Bumped by every change to the item, so a copy (promotion to preview) can insist on the latest. */
  version: number;
  /** The newest reply ever added to the thread (top-level comments only): keeps reply ids in commit order. */
  lastReplyId: number | null;
}

export type Item = Record<string, unknown>;

export function keyOf(location: CommentLocation): Key {
  const { postId, rootId, commentId } = location;
  if (location.placement === 'top') return commentKeys.topLevel(postId, commentId);
  return location.placement === 'preview' ? commentKeys.previewReply(postId, rootId!, commentId) : commentKeys.laterReply(postId, rootId!, commentId);
}

export function locationOf(record: CommentRecord, placement: Placement): CommentLocation {
  return { commentId: record.id, postId: record.postId, rootId: record.rootId, placement };
}

/**
 * The stored item. `id` and `media_key` are also what the post cleanup worker reads to remove the
 * comment's id lookup and media when the whole post goes.
 */
export function commentItem(record: CommentRecord, placement: Placement): Item {
  return {
    ...keyOf(locationOf(record, placement)),
    id: record.id,
    post_id: record.postId,
    parent_id: record.parentId ?? undefined,
    root_id: record.rootId ?? undefined,
    user: { id: record.author.id, display_name: record.author.displayName, profile_photo: record.author.profilePhoto },
    text: record.text,
    media_key: record.mediaKey ?? undefined,
    media_type: record.mediaType ?? undefined,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
    reply_count: record.rootId === null ? record.replyCount : undefined,
    v: record.version,
    last_reply_id: record.lastReplyId ?? undefined,
    // The counters travel with the item (a promoted reply is a copy of it).
    ...Object.fromEntries(REACTION_TYPES.filter((type) => record.reactions[type]).map((type) => [REACTION_ATTRIBUTES[type], record.reactions[type]])),
  };
}

export function recordOf(item: Item): CommentRecord {
  const user = item.user as { id: string; display_name: string; profile_photo?: string | null };
  return {
    id: item.id as number,
    postId: item.post_id as number,
    parentId: (item.parent_id as number | undefined) ?? null,
    rootId: (item.root_id as number | undefined) ?? null,
    author: { id: user.id, displayName: user.display_name, profilePhoto: user.profile_photo ?? null },
    text: item.text as string,
    mediaKey: (item.media_key as string | undefined) ?? null,
    mediaType: (item.media_type as MediaType | undefined) ?? null,
    createdAt: item.created_at as string,
    updatedAt: item.updated_at as string,
    reactions: reactionCountsOf(item),
    replyCount: (item.reply_count as number | undefined) ?? 0,
    version: (item.v as number | undefined) ?? 0,
    lastReplyId: (item.last_reply_id as number | undefined) ?? null,
  };
}

/** The id lookup: all a reaction (which names a comment by id only) needs to find the item. */
export function lookupItem(location: CommentLocation): Item {
  return {
    ...commentKeys.lookup(location.commentId),
    post_id: location.postId,
    root_id: location.rootId ?? undefined,
    placement: location.placement,
  };
}

export function locationFromLookup(commentId: number, item: Item): CommentLocation {
  return {
    commentId,
    postId: item.post_id as number,
    rootId: (item.root_id as number | undefined) ?? null,
    placement: item.placement as Placement,
  };
}
