import type { Principal } from '../core/auth.ts';
import { publish } from '../core/broadcast.ts';
import { groups } from '../core/groups.ts';
import type { MediaInput } from '../core/http/media-input.ts';
import { saveMedia } from '../core/media.ts';
import { EMPTY_STATS, insertPost, type StoredPost } from '../repositories/posts.ts';
import { nextId } from '../repositories/sequences.ts';
import { NO_STATE } from '../repositories/user-state.ts';
import { authorOf } from './author.ts';
import { discardMedia } from './discard-media.ts';
import { postDto, type PostDto } from './post-dto.ts';

export interface NewPost {
  title: string;
  content: string;
  media?: MediaInput;
}

export async function createPost(principal: Principal, input: NewPost, now = new Date()): Promise<PostDto> {
  const media = await saveMedia(principal.id, input.media, now);
  const at = now.toISOString();
  let stored: StoredPost;
  try {
    stored = {
      post: {
        id: await nextId('post'),
        author: authorOf(principal),
        title: input.title,
        content: input.content,
        mediaKey: media?.key ?? null,
        mediaType: media?.mediaType ?? null,
        createdAt: at,
        updatedAt: at,
      },
      stats: EMPTY_STATS,
    };
    await insertPost(stored.post);
  } catch (error) {
    if (media) await discardMedia(media.key);
    throw error;
  }
  const dto = postDto(stored, NO_STATE);
  await publish({ type: 'new_ventroom_post', data: dto, audiences: [groups.feed, groups.user(principal.id)] });
  return dto;
}
