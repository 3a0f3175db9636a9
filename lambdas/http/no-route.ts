import { fallbackHandler } from '../core/http/handler.ts';
import { httpFallback } from '../manifest.ts';

export const handler = fallbackHandler(httpFallback.id);
