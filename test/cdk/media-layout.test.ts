import { describe, expect, it } from 'vitest';
import { RATE_KEY_PREFIX } from '../../lib/data.ts';
import { rateKeys } from '../../lambdas/core/keys.ts';

/**
 * The stack's grants assume key layouts the handler code owns: keep them in step. (The media
 * bucket's prefixes need no check: the stack and the handlers import lambdas/core/media-layout.ts.)
 */
describe('layouts the stack shares with the handlers', () => {
  it('confines rate-limit writes to the partitions rate windows live in', () => {
    expect(rateKeys.window('user-1', 'standard', 60).pk.startsWith(RATE_KEY_PREFIX)).toBe(true);
    expect(RATE_KEY_PREFIX).toBe('RATE#');
  });
});
