import type { PrivacyRequestDetail } from '@custos/shared';
import { describe, expect, it } from 'vitest';
import { formatCalendarDate } from './countdown';
import { timelineActor, timelineText } from './timelineText';

type Entry = PrivacyRequestDetail['timeline'][number];

const entry = (
  kind: string,
  data: Record<string, unknown> = {},
  actor: Partial<Entry['actor']> = {},
): Entry => ({
  id: 'e1',
  kind,
  actor: { type: 'user', id: 'u1', name: 'Ada', ...actor },
  data,
  at: '2026-03-10T10:00:00Z',
});

describe('timeline entries in plain words', () => {
  it('names transitions', () => {
    expect(timelineText(entry('verified', { method: 'passport seen' }))).toMatchObject({
      title: 'Identity verified',
      detail: 'passport seen',
      tone: 'good',
    });
    expect(timelineText(entry('approved')).title).toBe('Approved');
  });

  it('gives a denial its reason and legal ground', () => {
    const text = timelineText(
      entry('denied', { reason: 'Manifestly unfounded', legalGround: 'GDPR Art. 12(5)(b)' }),
    );
    expect(text.detail).toBe('Manifestly unfounded\nLegal ground: GDPR Art. 12(5)(b)');
    expect(text.tone).toBe('bad');
  });

  it('gives an extension its new due date and reason', () => {
    const text = timelineText(entry('extended', { dueDate: '2026-05-04', reason: 'Many systems' }));
    expect(text.title).toBe(`Deadline extended to ${formatCalendarDate('2026-05-04')}`);
    expect(text.detail).toBe('Many systems');
  });

  it('names a task by its system', () => {
    const names = new Map([['s1', 'Billing']]);
    const text = timelineText(
      entry('task_failed', { systemId: 's1', kind: 'erasure', reason: 'timeout' }),
      names,
    );
    expect(text).toEqual({ title: 'Erasure at Billing: failed', detail: 'timeout', tone: 'bad' });
    expect(timelineText(entry('task_completed', { systemId: 'gone', kind: 'access' })).title).toBe(
      'Copy of data at a system: done',
    );
  });

  it('reads an unknown kind sensibly', () => {
    expect(timelineText(entry('code_sent', { to: 'verifying' }))).toEqual({
      title: 'Code sent',
      detail: 'Now verifying identity.',
      tone: 'info',
    });
  });

  it('names who acted', () => {
    expect(timelineActor(entry('created'))).toBe('Ada');
    expect(timelineActor(entry('created', {}, { type: 'system', name: 'Custos' }))).toBe('Custos');
    expect(timelineActor(entry('created', {}, { type: 'api_key', name: 'Shop' }))).toBe('API key Shop');
  });
});
