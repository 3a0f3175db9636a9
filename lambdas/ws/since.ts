import { BadRequestError } from '../core/errors.ts';
import type { Since } from '../domain/recovery.ts';

/**
 * `data.offset` and `data.epoch` of a join (or `recover_user`): where the client stopped, to recover
 * from. Both or neither; the epoch is `""` for a group that had no event yet.
 */
export function sinceOf(data: unknown): Since | undefined {
  const { offset, epoch } = (typeof data === 'object' && data !== null ? data : {}) as { offset?: unknown; epoch?: unknown };
  if (offset === undefined && epoch === undefined) return undefined;
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0 || typeof epoch !== 'string' || epoch.length > 64) {
    throw new BadRequestError({
      detail: 'To recover, send data.offset (the last offset you received, an integer >= 0) and data.epoch (its epoch, a string), e.g. {"type": "join_ventroom", "data": {"offset": 41, "epoch": "3f2a9c1e"}}.',
    });
  }
  return { offset, epoch };
}
