import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { BadRequestError } from '../../core/errors.ts';
import { parseBody } from '../../core/http/body.ts';
import * as z from 'zod/mini';
import { integer } from '../../core/validation.ts';

/** Ids one mark_as_viewed request may carry (a few screens of feed; one queue message stays small). */
export const MAX_POST_IDS = 100;

/** The spec's exact body for a missing, non-array or empty `post_ids`. */
export const POST_IDS_REQUIRED = { error: 'post_ids array is required' };

const postId = integer({ min: 1 });

/** The body as the API description shows it (the checks below give DRF's per-index errors). */
export const postIdsShape = { post_ids: z.array(postId).check(z.minLength(1), z.maxLength(MAX_POST_IDS)) };

/**
 * `{"post_ids": [...]}`: a non-empty array of at most 100 positive integers (numbers, or strings of
 * digits as DRF's IntegerField takes them). Bad entries are reported per index, as DRF's ListField does:
 * `{"post_ids": {"2": ["A valid integer is required."]}}`.
 */
export async function postIdsInput(event: APIGatewayProxyEventV2): Promise<number[]> {
  const { fields } = await parseBody(event, { maxFileBytes: 0, maxFiles: 0 });
  const raw = typeof fields === 'object' && fields !== null && !Array.isArray(fields) ? (fields as Record<string, unknown>).post_ids : undefined;
  if (!Array.isArray(raw) || raw.length === 0) throw new BadRequestError(POST_IDS_REQUIRED);
  if (raw.length > MAX_POST_IDS) {
    throw new BadRequestError({ post_ids: [`Ensure this field has no more than ${MAX_POST_IDS} elements.`] });
  }
  const errors: Record<string, string[]> = {};
  const ids: number[] = [];
  raw.forEach((value, index) => {
    const result = postId.safeParse(value);
    if (result.success) ids.push(result.data as number);
    else errors[String(index)] = result.error.issues.map((issue) => issue.message);
  });
  if (Object.keys(errors).length > 0) throw new BadRequestError({ post_ids: errors });
  return ids;
}
