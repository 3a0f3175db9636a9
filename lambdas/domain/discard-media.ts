import { logger } from '../core/logger.ts';
import { deleteMedia } from '../core/media.ts';

/** Removes media a failed or superseding write left unreferenced; a failure only costs storage, so it is logged. */
export async function discardMedia(key: string): Promise<void> {
  await deleteMedia(key).catch((error) => logger.warn('Could not delete media', { key, error: error as Error }));
}
