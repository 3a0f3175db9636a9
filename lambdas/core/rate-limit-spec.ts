import type { RateClass } from '../manifest.ts';

/**
 * The per-user request budgets and the syntax of the RATE_LIMITS setting that overrides them, as
 * plain code (no environment read at import): the handlers parse the setting at cold start and the
 * CDK app at synth with this one function, so a value the stack accepts is one every handler accepts.
 */
export type LimitedClass = Exclude<RateClass, 'none'> | 'socket';

/**
 * Requests per minute per user: the spec's numbers; `views` (mark_as_viewed) five a second.
 * `socket` is per WebSocket connection: every message it sends (ping, joins, leaves, anything),
 * far above an app's keepalive and joins, and the connection is closed once it is spent.
 */
export const DEFAULT_RATE_LIMITS: Readonly<Record<LimitedClass, number>> = { standard: 100, create: 20, reaction: 60, views: 300, socket: 120 };

/** `standard=100,create=20,reaction=60` (any subset) over the defaults; throws naming the first bad entry. */
export function parseRateLimits(text: string | undefined): Record<LimitedClass, number> {
  const limits = { ...DEFAULT_RATE_LIMITS };
  for (const part of (text ?? '').split(',').filter(Boolean)) {
    const [name = '', value, extra] = part.split('=').map((s) => s.trim());
    const n = Number(value);
    if (extra !== undefined || !Object.hasOwn(DEFAULT_RATE_LIMITS, name) || !Number.isInteger(n) || n < 1) {
      throw new Error(`bad entry "${part}" (expected e.g. standard=100,create=20,reaction=60,views=300,socket=120)`);
    }
    limits[name as LimitedClass] = n;
  }
  return limits;
}
