import type { Principal } from '../core/auth.ts';
import { publish } from '../core/broadcast.ts';
import { NotFoundError } from '../core/errors.ts';
import { groups } from '../core/groups.ts';
import type { MediaInput } from '../core/http/media-input.ts';
import { saveMedia } from '../core/media.ts';
import { updateComment as updateCommentRecord, type CommentChanges } from '../repositories/comment-writes.ts';
import { modifiableComment } from './comment-access.ts';
import type { CommentDto } from './comment-dto.ts';
import { presentComment } from './comment-present.ts';
import { discardMedia, retractReplacedMedia } from './discard-media.ts';

export interface CommentUpdate {
  text?: string;
  media?: MediaInput;
}

/** `readUpdate` parses the body after the 404/403 checks, so a stranger learns nothing from validation errors. */
export async function updateComment(
  principal: Principal,
  postId: number,
  commentId: number,
  readUpdate: () => Promise<CommentUpdate>,
  now = new Date(),
): Promise<CommentDto> {
  const before = await modifiableComment(principal, postId, commentId);
  const update = await readUpdate();
  const media = await saveMedia(principal.id, update.media, now);
  const changes: CommentChanges = { text: update.text };
  if (media !== undefined) Object.assign(changes, { mediaKey: media?.key ?? null, mediaType: media?.mediaType ?? null });
  const updated = await updateCommentRecord(commentId, changes, now.toISOString());
  if (!updated) {
    if (media) await discardMedia(media.key);
    throw new NotFoundError();
  }
  if (media !== undefined && before.comment.mediaKey && before.comment.mediaKey !== updated.comment.mediaKey) {
    await retractReplacedMedia(before.comment.mediaKey);
  }
  const dto = await presentComment(principal.id, updated.comment);
  await publish({ type: 'ventroom_comment_updated', data: dto, audiences: [groups.post(postId)] });
  return dto;
}
