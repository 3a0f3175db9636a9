/** The spec's media kinds; a file must really be one (its bytes are checked, see media.ts). */
export const MEDIA_TYPES = ['image', 'video', 'audio'] as const;
export type MediaType = (typeof MEDIA_TYPES)[number];
