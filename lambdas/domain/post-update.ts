import type { Principal } from '../core/auth.ts';
import { publish } from '../core/broadcast.ts';
import { NotFoundError } from '../core/errors.ts';
import { groups } from '../core/groups.ts';
import type { MediaInput } from '../core/http/media-input.ts';
import { saveMedia } from '../core/media.ts';
import { updatePost as updatePostRecord, type PostChanges } from '../repositories/posts.ts';
import { userPostState } from '../repositories/user-state.ts';
import { discardMedia, retractReplacedMedia } from './discard-media.ts';
import { modifiablePost } from './post-access.ts';
import { postDto, type PostDto } from './post-dto.ts';

export interface PostUpdate {
  title?: string;
  content?: string;
  media?: MediaInput;
}

/**
 * `readUpdate` parses the request body; it runs after the 404/403 checks, so a stranger learns
 * nothing from validation errors (DRF's order too).
 */
export async function updatePost(
  principal: Principal,
  postId: number,
  readUpdate: () => Promise<PostUpdate>,
  now = new Date(),
): Promise<PostDto> {
  // The caller's own state (has_viewed, user_reaction) is read beside the permission check.
  const [before, state] = await Promise.all([modifiablePost(principal, postId), userPostState(principal.id, postId)]);
  const update = await readUpdate();
  const media = await saveMedia(principal.id, update.media, now);
  const changes: PostChanges = { title: update.title, content: update.content };
  if (media !== undefined) Object.assign(changes, { mediaKey: media?.key ?? null, mediaType: media?.mediaType ?? null });
  const post = await updatePostRecord(postId, changes, now.toISOString());
  if (!post) {
    if (media) await discardMedia(media.key);
    throw new NotFoundError();
  }
  if (media !== undefined && before.post.mediaKey && before.post.mediaKey !== post.mediaKey) {
    await retractReplacedMedia(before.post.mediaKey);
  }
  const dto = postDto({ post, stats: before.stats }, state);
  await publish({ type: 'ventroom_post_updated', data: dto, audiences: [groups.post(postId), groups.feed] });
  return dto;
}
