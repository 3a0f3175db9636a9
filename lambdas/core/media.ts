import { randomUUID } from 'node:crypto';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { fileTypeFromBuffer } from 'file-type/core';
import { envFlag, envInt, envString, readEnv } from './config.ts';
import { ValidationError } from './errors.ts';
import { invalidateMediaPaths } from './media-cdn.ts';
import type { UploadedFile } from './http/body.ts';
import type { MediaInput } from './http/media-input.ts';
import { MEDIA_PREFIX, UPLOAD_PREFIX } from './media-layout.ts';

import type { MediaType } from './media-types.ts';

const config = readEnv({
  MEDIA_BUCKET: envString(),
  /** Path-style S3 addressing, for emulators that do not resolve bucket subdomains. */
  S3_FORCE_PATH_STYLE: envFlag(false),
  /**
   * Largest file accepted inside a request body. Lambda caps a synchronous event at 6 MB and API
   * Gateway base64-encodes binary bodies (+33%), so 4 MiB of file plus form overhead is what fits.
   */
  MEDIA_MAX_INLINE_BYTES: envInt(4 * 1024 * 1024),
  /** Largest file accepted through a presigned upload. */
  MEDIA_MAX_UPLOAD_BYTES: envInt(100 * 1024 * 1024),
  MEDIA_UPLOAD_EXPIRES_SECONDS: envInt(900),
});

export const MEDIA_LIMITS = {
  inlineBytes: config.MEDIA_MAX_INLINE_BYTES,
  uploadBytes: config.MEDIA_MAX_UPLOAD_BYTES,
  uploadExpiresSeconds: config.MEDIA_UPLOAD_EXPIRES_SECONDS,
};

/** Exported for tests that inject faults between the steps of an adoption (test/integration/upload-swap). */
export const s3 = new S3Client({ forcePathStyle: config.S3_FORCE_PATH_STYLE });

/** What the bytes really are, from their signature; the client's declared type is not trusted. */
async function sniff(bytes: Uint8Array): Promise<{ mime: string; ext: string } | undefined> {
  return fileTypeFromBuffer(bytes);
}

function checkKind(field: string, detected: { mime: string } | undefined, mediaType: MediaType): void {
  const kind = detected?.mime.split('/')[0];
  if (kind !== mediaType) {
    const what = detected ? `a ${detected.mime} file` : 'not a recognised media file';
    throw new ValidationError({ [field]: [`The uploaded file is ${what}; media_type is "${mediaType}".`] });
  }
}

function mediaKey(ext: string, now: Date): string {
  const month = String(now.getUTCMonth() + 1).padStart(2, '0');
  return `${MEDIA_PREFIX}${now.getUTCFullYear()}/${month}/${randomUUID()}.${ext}`;
}

/** Checks an uploaded file against `mediaType` and stores it under `vent_media/YYYY/MM/<uuid>.<ext>`. */
export async function storeMedia(file: UploadedFile, mediaType: MediaType, now = new Date()): Promise<string> {
  if (file.data.length === 0) throw new ValidationError({ media: ['The submitted file is empty.'] });
  const detected = await sniff(file.data);
  checkKind('media', detected, mediaType);
  const key = mediaKey(detected!.ext, now);
  await s3.send(
    new PutObjectCommand({
      Bucket: config.MEDIA_BUCKET,
      Key: key,
      Body: file.data,
      ContentType: detected!.mime,
      CacheControl: 'public, max-age=31536000, immutable',
    }),
  );
  return key;
}

export interface PresignedUpload {
  upload_url: string;
  media_key: string;
  expires_in: number;
}

/**
 * A URL the client PUTs its file of `size` bytes to; the returned media_key then goes into a create.
 * The length is signed into the URL, so S3 refuses a body of any other size: nobody can park
 * gigabytes in the staging prefix with a URL meant for a photo.
 */
export async function presignUpload(userId: string, size: number): Promise<PresignedUpload> {
  const key = `${UPLOAD_PREFIX}${userId}/${randomUUID()}`;
  const url = await getSignedUrl(s3, new PutObjectCommand({ Bucket: config.MEDIA_BUCKET, Key: key, ContentLength: size }), {
    expiresIn: config.MEDIA_UPLOAD_EXPIRES_SECONDS,
    signableHeaders: new Set(['content-length']),
  });
  return { upload_url: url, media_key: key, expires_in: config.MEDIA_UPLOAD_EXPIRES_SECONDS };
}

/**
 * Moves a presigned upload of `userId` into the media library after checking it exists, belongs to
 * the caller, fits the size limit and really is `mediaType`. Returns the stored key.
 */
export async function adoptUpload(userId: string, uploadKey: string, mediaType: MediaType, now = new Date()): Promise<string> {
  const field = 'media_key';
  const own = `${UPLOAD_PREFIX}${userId}/`;
  if (!uploadKey.startsWith(own) || !/^[0-9a-f-]{36}$/.test(uploadKey.slice(own.length))) {
    throw new ValidationError({ [field]: ['Unknown upload. Request one from /api/ventroom/uploads/ first.'] });
  }
  // The presigned URL stays valid after the check, so its holder could swap the bytes between the
  // sniff and the copy: every step names the version (ETag) the first one saw, and S3 refuses the
  // read or the copy when the object is no longer that version.
  let size: number;
  let etag: string;
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: config.MEDIA_BUCKET, Key: uploadKey }));
    size = head.ContentLength ?? 0;
    etag = head.ETag!;
  } catch (error) {
    if (s3Status(error) === 404 || s3Status(error) === 403) {
      throw new ValidationError({ [field]: ['Nothing was uploaded to this key (or the upload expired).'] });
    }
    throw error;
  }
  if (size === 0) throw new ValidationError({ [field]: ['The uploaded file is empty.'] });
  if (size > config.MEDIA_MAX_UPLOAD_BYTES) {
    throw new ValidationError({ [field]: [`File too large. The largest upload accepted is ${config.MEDIA_MAX_UPLOAD_BYTES} bytes.`] });
  }
  const key = await unlessChanged(field, async () => {
    const start = await s3.send(new GetObjectCommand({ Bucket: config.MEDIA_BUCKET, Key: uploadKey, Range: 'bytes=0-4099', IfMatch: etag }));
    const detected = await sniff(await start.Body!.transformToByteArray());
    checkKind(field, detected, mediaType);
    const stored = mediaKey(detected!.ext, now);
    const copied = await s3.send(
      new CopyObjectCommand({
        Bucket: config.MEDIA_BUCKET,
        Key: stored,
        CopySource: `${config.MEDIA_BUCKET}/${uploadKey}`,
        CopySourceIfMatch: etag,
        ContentType: detected!.mime,
        CacheControl: 'public, max-age=31536000, immutable',
        MetadataDirective: 'REPLACE',
      }),
    );
    // S3 checks CopySourceIfMatch atomically; the copy's ETag (the MD5 of its bytes: a single-part
    // object under SSE-S3) says the same again, and holds on emulators that ignore the precondition.
    if (copied.CopyObjectResult?.ETag !== etag) {
      await s3.send(new DeleteObjectCommand({ Bucket: config.MEDIA_BUCKET, Key: stored }));
      throw uploadChanged(field);
    }
    return stored;
  });
  await s3.send(new DeleteObjectCommand({ Bucket: config.MEDIA_BUCKET, Key: uploadKey }));
  return key;
}

function s3Status(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

const uploadChanged = (field: string) => new ValidationError({ [field]: ['The upload changed while it was being checked. Upload the file again.'] });

/** Runs the checked steps of an adoption; a 412 (the upload was replaced meanwhile) is the client's 400. */
async function unlessChanged<T>(field: string, steps: () => Promise<T>): Promise<T> {
  try {
    return await steps();
  } catch (error) {
    if (s3Status(error) === 412) throw uploadChanged(field);
    throw error;
  }
}

export async function deleteMedia(key: string): Promise<void> {
  await s3.send(new DeleteObjectCommand({ Bucket: config.MEDIA_BUCKET, Key: key }));
}

/** Takes published media down: the objects, then their copies in the edge cache (media-cdn.ts). */
export async function retractMedia(keys: readonly string[]): Promise<void> {
  await Promise.all(keys.map((key) => deleteMedia(key)));
  await invalidateMediaPaths(keys);
}

export interface StoredMedia {
  key: string;
  mediaType: MediaType;
}

/**
 * Carries out what a request asked of media: stores a file, adopts a presigned upload, or answers
 * null for "remove the media"; undefined when the request said nothing about media.
 */
export async function saveMedia(userId: string, input: MediaInput | undefined, now = new Date()): Promise<StoredMedia | null | undefined> {
  if (!input) return undefined;
  if (input.kind === 'remove') return null;
  const key = input.kind === 'file' ? await storeMedia(input.file, input.mediaType, now) : await adoptUpload(userId, input.uploadKey, input.mediaType, now);
  return { key, mediaType: input.mediaType };
}
