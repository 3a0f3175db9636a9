import * as z from 'zod/mini';
import { addIssue } from '../core/config.ts';
import { documented, integer, text } from '../core/validation.ts';

/**
 * The text fields of post, comment and upload bodies, as DRF-like zod fields. The handlers validate
 * with them and the API description (docs/api/openapi.json) is generated from them. Plain data:
 * importing this module reads no configuration. Media fields: core/http/media-input.ts.
 */

export const TITLE_MAX = 150;
/** Not in the spec (DRF's TextField has no cap); bounded so one post stays a small DynamoDB item. */
export const CONTENT_MAX = 10_000;

/** PUT and create: `content` required; PATCH: every field optional. */
export function postShape(partial: boolean) {
  return {
    title: text({ max: TITLE_MAX, required: false, allowBlank: true }),
    content: partial ? text({ max: CONTENT_MAX, required: false }) : text({ max: CONTENT_MAX }),
  };
}

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
const parentField = documented(
  z.pipe(z.unknown(), z.transform((value: unknown, ctx): number | null | undefined => {
    if (value === undefined) return undefined;
    if (value === null || value === '' || value === 'null') return null;
    if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
    if (typeof value === 'string' && /^\s*-?\d{1,15}\s*$/.test(value)) return Number(value);
    const type = typeof value === 'string' ? 'str' : Array.isArray(value) ? 'list' : typeof value === 'boolean' ? 'bool' : typeof value === 'number' ? 'float' : 'dict';
    return addIssue(ctx, `Incorrect type. Expected pk value, received ${type}.`);
  })),
  { type: ['integer', 'null'], description: 'The comment replied to (a reply to a reply joins its root thread).' },
);

export type CommentMode = 'create' | 'replace' | 'patch';

/** A comment body's text fields per mode; `parent` is fixed at creation (an update ignores it, as DRF ignores read-only fields). */
export const commentShapes = {
  create: () => ({ text: text({ max: COMMENT_TEXT_MAX }), parent: z.optional(parentField) }),
  replace: () => ({ text: text({ max: COMMENT_TEXT_MAX }) }),
  patch: () => ({ text: text({ max: COMMENT_TEXT_MAX, required: false }) }),
};

/** `{"size": n}` of a presigned upload: at most the configured upload limit. */
export const uploadShape = (maxBytes: number) => ({ size: integer({ min: 1, max: maxBytes }) });
