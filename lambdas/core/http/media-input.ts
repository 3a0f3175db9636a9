import { ValidationError } from '../errors.ts';
import { MEDIA_TYPES, type MediaType } from '../media-types.ts';
import { choice, validate } from '../validation.ts';
import type { ParsedBody, UploadedFile } from './body.ts';

/** Media a create or update asks for: a file in the body, a presigned upload to adopt, or removal. */
export type MediaInput =
  | { kind: 'file'; file: UploadedFile; mediaType: MediaType }
  | { kind: 'upload'; uploadKey: string; mediaType: MediaType }
  | { kind: 'remove' };

const NOT_A_FILE = 'The submitted data was not a file. Check the encoding type on the form.';

/**
 * Reads `media`, `media_key` and `media_type` off a parsed body. Undefined when the body says nothing
 * about media (a PATCH of the text, or a text-only create).
 */
export function mediaInput(body: ParsedBody): MediaInput | undefined {
  const fields = (body.fields ?? {}) as Record<string, unknown>;
  const file = body.files.find((f) => f.fieldName === 'media');
  const errors: Record<string, string[]> = {};
  const rawMedia = fields.media;
  // A form sends an absent file as an empty string; JSON can only say null (remove) or nothing.
  if (rawMedia !== undefined && rawMedia !== null && rawMedia !== '') errors.media = [NOT_A_FILE];
  const uploadKey = fields.media_key;
  if (uploadKey !== undefined && uploadKey !== null && uploadKey !== '' && typeof uploadKey !== 'string') {
    errors.media_key = ['Not a valid string.'];
  }
  const hasUpload = typeof uploadKey === 'string' && uploadKey !== '';
  if (file && hasUpload) errors.media = ['Send either a media file or a media_key, not both.'];
  let mediaType: MediaType | null | undefined;
  try {
    mediaType = validate({ media_type: choice(MEDIA_TYPES, { required: false, allowNull: true }) }, fields).media_type;
  } catch (error) {
    Object.assign(errors, (error as ValidationError).fields);
  }
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);

  if (file || hasUpload) {
    if (!mediaType) throw new ValidationError({ media_type: ['This field is required when media is provided.'] });
    return file ? { kind: 'file', file, mediaType } : { kind: 'upload', uploadKey: uploadKey as string, mediaType };
  }
  if (rawMedia === null) return { kind: 'remove' };
  if (mediaType) throw new ValidationError({ media: ['No file was submitted for this media_type.'] });
  return undefined;
}
