import { describe, expect, it } from 'vitest';
import { leadingKeysPattern } from '../../lib/data.ts';
import { connectionKeys, feedKeys, rateKeys } from '../../lambdas/core/keys.ts';

/**
 * The stack's grants assume key layouts the handler code owns: keep them in step. (The media
 * bucket's prefixes need no check: the stack and the handlers import lambdas/core/media-layout.ts.)
 */
describe('layouts the stack shares with the handlers', () => {
  it('names each family of partitions as IAM matches its keys (dynamodb:LeadingKeys)', () => {
    expect(leadingKeysPattern('rate')).toBe('RATE#*');
    expect(rateKeys.window('user-1', 'standard', 60).pk.startsWith('RATE#')).toBe(true);
    expect(leadingKeysPattern('feed')).toBe(feedKeys.partition);
    expect(leadingKeysPattern('connection')).toBe(`${connectionKeys.partition('')}*`);
    expect(leadingKeysPattern('group')).toBe(`${connectionKeys.groupPartition('')}*`);
  });
});
