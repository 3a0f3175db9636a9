import { describe, expect, it } from 'vitest';
import { framed } from '../../lambdas/domain/history.ts';
import { planRecovery } from '../../lambdas/domain/recovery.ts';
import { serverMessage } from '../../lambdas/core/messages.ts';

describe('planRecovery: can history take a client from where it stopped to where the group stands?', () => {
  const current = { offset: 500, epoch: 'e1' };

  it('replays the gap, oldest first, when it is within the cap and the epoch matches', () => {
    expect(planRecovery({ offset: 200, epoch: 'e1' }, current, 300)).toEqual({ replay: { from: 201, to: 500 } });
    expect(planRecovery({ offset: 500, epoch: 'e1' }, current, 300)).toEqual({ replay: { from: 501, to: 500 } });
  });

  it('refuses a gap over the cap, an offset ahead of the group, and another epoch', () => {
    expect(planRecovery({ offset: 199, epoch: 'e1' }, current, 300)).toEqual({ unrecoverable: true });
    expect(planRecovery({ offset: 501, epoch: 'e1' }, current, 300)).toEqual({ unrecoverable: true });
    expect(planRecovery({ offset: 450, epoch: 'e0' }, current, 300)).toEqual({ unrecoverable: true });
  });

  it('offset 0 (nothing seen yet, before the group had an epoch) fits any epoch', () => {
    expect(planRecovery({ offset: 0, epoch: '' }, { offset: 3, epoch: 'e1' }, 300)).toEqual({ replay: { from: 1, to: 3 } });
    expect(planRecovery({ offset: 0, epoch: '' }, { offset: 0, epoch: '' }, 300)).toEqual({ replay: { from: 1, to: 0 } });
    expect(planRecovery({ offset: 0, epoch: '' }, current, 300)).toEqual({ unrecoverable: true });
  });
});

describe('framed: a frame names only the receiver\'s groups', () => {
  const message = serverMessage('new_ventroom_post', { id: 1 });
  const positions = { ventroom_feed: { offset: 7, epoch: 'a' }, user_u1: { offset: 3, epoch: 'b' } };

  it('feed watchers see the feed position, the author both, a view counter none', () => {
    expect(framed(message, positions, ['ventroom_feed']).positions).toEqual({ ventroom_feed: { offset: 7, epoch: 'a' } });
    expect(framed(message, positions, ['ventroom_feed', 'user_u1']).positions).toEqual(positions);
    expect(framed(message, undefined, ['ventroom_feed'])).toBe(message);
    expect(framed(message, positions, ['vent_post_9'])).toBe(message);
  });
});
