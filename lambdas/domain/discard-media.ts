import { logger } from '../core/logger.ts';
import { deleteMedia, retractMedia } from '../core/media.ts';

/** Removes media a failed or superseding write left unreferenced; a failure only costs storage, so it is logged. */
export async function discardMedia(key: string): Promise<void> {
  await deleteMedia(key).catch((error) => logger.warn('Could not delete media', { key, error: error as Error }));
}

/** Takes down media an edit replaced: it was published, so the edge cache is cleared too (logged on failure). */
export async function retractReplacedMedia(key: string): Promise<void> {
  await retractMedia([key]).catch((error) => logger.warn('Could not retract replaced media', { key, error: error as Error }));
}
