import type { PrivacyRequestOut } from '@custos/shared';
import { describe, expect, it } from 'vitest';
import { formatCalendarDate } from './countdown';
import { extendedDueDate, offeredActions } from './requestActions';

function request(
  state: PrivacyRequestOut['state'],
  extra: { regime?: 'gdpr' | 'ccpa'; extensions?: number; noticeBy?: string } = {},
): Pick<PrivacyRequestOut, 'state' | 'regime' | 'extensions' | 'clock'> {
  return {
    state,
    regime: extra.regime ?? 'gdpr',
    extensions: extra.extensions ?? 0,
    clock: {
      startDate: '2026-03-01',
      acknowledgeBy: null,
      dueDate: '2026-04-01',
      dueAt: '2026-04-01T23:59:59.999Z',
      extensionNoticeBy: extra.noticeBy ?? '2026-04-01',
      timeZone: 'UTC',
      waitingForVerification: false,
      overdue: false,
    },
  };
}

const NOW = new Date('2026-03-10T10:00:00Z');
const names = (r: ReturnType<typeof request>) => offeredActions(r, NOW).map((o) => o.action);

describe('the actions a request offers', () => {
  it('follows the state machine', () => {
    expect(names(request('received'))).toEqual(['verify', 'extend', 'deny', 'cancel']);
    expect(names(request('awaiting_approval'))).toEqual(['approve', 'extend', 'deny', 'cancel']);
    expect(names(request('in_progress'))).toEqual(['complete', 'extend', 'deny', 'cancel']);
  });

  it('offers nothing once closed', () => {
    for (const state of ['completed', 'denied', 'canceled'] as const)
      expect(names(request(state))).toEqual([]);
  });

  it('explains why no extension is left', () => {
    const ccpa = offeredActions(request('in_progress', { regime: 'ccpa', extensions: 1 }), NOW);
    expect(ccpa.find((o) => o.action === 'extend')?.disabledReason).toMatch(/one extension/);
    const gdpr = offeredActions(request('in_progress', { extensions: 2 }), NOW);
    expect(gdpr.find((o) => o.action === 'extend')?.disabledReason).toMatch(/2 extensions/);
  });

  it('explains that the notice period is over', () => {
    const late = offeredActions(request('in_progress', { noticeBy: '2026-03-09' }), NOW);
    expect(late.find((o) => o.action === 'extend')?.disabledReason).toContain(
      formatCalendarDate('2026-03-09'),
    );
  });

  it('lets a request with an extension left be extended', () => {
    const open = offeredActions(request('in_progress', { extensions: 1 }), NOW);
    expect(open.find((o) => o.action === 'extend')?.disabledReason).toBeUndefined();
  });
});

describe('the due date after one more extension', () => {
  it('adds a calendar month under the GDPR, rolled to a working day', () => {
    // 2026-03-01 + 2 months = 2026-05-01, a Friday.
    expect(extendedDueDate(request('in_progress'))).toBe('2026-05-01');
    // + 3 months = 2026-06-01, a Monday.
    expect(extendedDueDate(request('in_progress', { extensions: 1 }))).toBe('2026-06-01');
  });

  it('adds 45 days under the CCPA, without rolling', () => {
    // 2026-03-01 + 90 days = 2026-05-30, a Saturday: CCPA does not roll.
    expect(extendedDueDate(request('in_progress', { regime: 'ccpa' }))).toBe('2026-05-30');
  });

  it('gives none when no extension is left', () => {
    expect(extendedDueDate(request('in_progress', { extensions: 2 }))).toBeNull();
    expect(extendedDueDate(request('in_progress', { regime: 'ccpa', extensions: 1 }))).toBeNull();
  });
});
