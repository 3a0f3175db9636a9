import { BadRequestError } from '../core/errors.ts';

/** `data.post_id` of a post-group message: a positive integer (or its digits as a string). */
export function postIdOf(data: unknown): number {
  const raw = (data as { post_id?: unknown } | null | undefined)?.post_id;
  const id = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(id) || id < 1) {
    throw new BadRequestError({ detail: 'data.post_id must be a positive integer, e.g. {"type": "join_ventroom_post", "data": {"post_id": 1}}.' });
  }
  return id;
}
