import type { PrivacyRequestOut } from '@custos/shared';
import { describe, expect, it } from 'vitest';
import { countdown, formatCalendarDate } from './countdown';

function request(
  dueDate: string,
  options: { state?: PrivacyRequestOut['state']; overdue?: boolean; timeZone?: string } = {},
): Pick<PrivacyRequestOut, 'state' | 'clock'> {
  return {
    state: options.state ?? 'in_progress',
    clock: {
      startDate: '2026-01-01',
      acknowledgeBy: null,
      dueDate,
      dueAt: `${dueDate}T23:59:59.999Z`,
      extensionNoticeBy: dueDate,
      timeZone: options.timeZone ?? 'UTC',
      waitingForVerification: false,
      overdue: options.overdue ?? false,
    },
  };
}

const NOW = new Date('2026-03-10T10:00:00Z');

describe('the due-date countdown', () => {
  it('counts whole calendar days ahead', () => {
    expect(countdown(request('2026-03-22'), NOW)).toEqual({
      text: 'due in 12 days',
      tone: 'later',
      days: 12,
    });
  });

  it('calls a date within a week close', () => {
    expect(countdown(request('2026-03-15'), NOW)?.tone).toBe('soon');
    expect(countdown(request('2026-03-17'), NOW)?.text).toBe('due in 7 days');
  });

  it('says today and tomorrow in words', () => {
    expect(countdown(request('2026-03-10'), NOW)?.text).toBe('due today');
    expect(countdown(request('2026-03-11'), NOW)?.text).toBe('due tomorrow');
  });

  it('counts days overdue, one day in the singular', () => {
    expect(countdown(request('2026-03-07', { overdue: true }), NOW)).toEqual({
      text: '3 days overdue',
      tone: 'overdue',
      days: -3,
    });
    expect(countdown(request('2026-03-09', { overdue: true }), NOW)?.text).toBe('1 day overdue');
  });

  it('counts in the organization’s zone, not the viewer’s', () => {
    // 12:00 UTC on the 10th is already 01:00 on the 11th in Auckland (UTC+13 in March).
    const noon = new Date('2026-03-10T12:00:00Z');
    expect(countdown(request('2026-03-11', { timeZone: 'Pacific/Auckland' }), noon)?.text).toBe('due today');
    expect(countdown(request('2026-03-11'), noon)?.text).toBe('due tomorrow');
  });

  it('trusts the server when it says overdue on the due date itself', () => {
    expect(countdown(request('2026-03-10', { overdue: true }), NOW)?.tone).toBe('overdue');
  });

  it('stops for closed requests', () => {
    expect(countdown(request('2026-03-01', { state: 'completed', overdue: true }), NOW)).toBeNull();
    expect(countdown(request('2026-03-01', { state: 'canceled' }), NOW)).toBeNull();
  });
});

describe('a calendar date', () => {
  it('names the same day in every zone', () => {
    expect(formatCalendarDate('2026-03-31')).toContain('31');
    expect(formatCalendarDate('not a date')).toBe('not a date');
  });
});
