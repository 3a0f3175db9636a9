import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod/mini';
import { addIssue } from '../../core/config.ts';
import { fieldsWithMedia } from '../../core/http/form-input.ts';
import type { MediaInput } from '../../core/http/media-input.ts';
import { text } from '../../core/validation.ts';

/**
 * Not in the spec (DRF's TextField has no cap). Bounded so a comment stays a small item and the
 * largest comments page (100 comments, each with 3 replies, 4 bytes per character at worst) stays
 * well under Lambda's 6 MB response limit.
 */
export const COMMENT_TEXT_MAX = 2_000;

/**
 * DRF's PrimaryKeyRelatedField(allow_null=True) as far as a body can tell: null or an empty form
 * value mean "no parent", an integer (or a string of digits) is an id to look up, anything else is
 * the wrong type. Whether the id names a comment is for the domain to say.
 */
const parentField = z.pipe(z.unknown(), z.transform((value: unknown, ctx): number | null | undefined => {
  if (value === undefined) return undefined;
  if (value === null || value === '' || value === 'null') return null;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'string' && /^\s*-?\d{1,15}\s*$/.test(value)) return Number(value);
  const type = typeof value === 'string' ? 'str' : Array.isArray(value) ? 'list' : typeof value === 'boolean' ? 'bool' : typeof value === 'number' ? 'float' : 'dict';
  return addIssue(ctx, `Incorrect type. Expected pk value, received ${type}.`);
}));

export interface CommentInput {
  text?: string;
  parent?: number | null;
  media?: MediaInput;
}

/** A new comment (text required, optional parent) or an update (PUT: text required; PATCH: partial). */
export async function commentInput(event: APIGatewayProxyEventV2, mode: 'create' | 'replace' | 'patch'): Promise<CommentInput> {
  const textField = mode === 'patch' ? text({ max: COMMENT_TEXT_MAX, required: false }) : text({ max: COMMENT_TEXT_MAX });
  // `parent` is fixed at creation: an update ignores it, as DRF ignores read-only fields.
  if (mode !== 'create') return fieldsWithMedia(event, { text: textField });
  return fieldsWithMedia(event, { text: textField, parent: z.optional(parentField) });
}
