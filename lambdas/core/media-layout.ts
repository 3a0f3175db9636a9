/**
 * Where things live in the media bucket, as plain data shared by the handlers (`media.ts` writes
 * there) and the stack (grants, lifecycle rules): validated media under `vent_media/` (the
 * contract's media URLs end in `/vent_media/...`), presigned uploads staged under `uploads/` until a
 * create adopts them.
 */
export const MEDIA_PREFIX = 'vent_media/';
export const UPLOAD_PREFIX = 'uploads/';

/** A staged upload nobody adopted within this many days is deleted by a lifecycle rule. */
export const UPLOAD_EXPIRY_DAYS = 1;
