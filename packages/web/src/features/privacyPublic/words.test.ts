import { REQUEST_TYPES } from '@custos/shared';
import { describe, expect, it } from 'vitest';
import { codeProblem, formatDayInWords, REQUEST_TYPE_FOR_PERSON } from './words';

describe('formatDayInWords', () => {
  it('names the calendar day itself, whatever the time zone', () => {
    const words = formatDayInWords('2027-01-05');
    expect(words).toContain('2027');
    expect(words).toMatch(/5/);
    expect(words).toMatch(/January/);
  });

  it('leaves a malformed date as it is', () => {
    expect(formatDayInWords('soon')).toBe('soon');
  });
});

describe('codeProblem', () => {
  const refused = (reason: string) => ({
    status: 400,
    code: 'PRIVACY_PUBLIC_CODE_INVALID' as const,
    message: 'm',
    details: { reason },
  });

  it('asks to type a wrong code again, and to start over otherwise', () => {
    expect(codeProblem(refused('wrong'))?.startOver).toBe(false);
    expect(codeProblem(refused('expired'))?.startOver).toBe(true);
    expect(codeProblem(refused('too_many_attempts'))?.startOver).toBe(true);
    expect(codeProblem(undefined)).toBeNull();
  });
});

describe('request types as the person reads them', () => {
  it('describes every type in plain words, without article numbers or talk of "their" data', () => {
    for (const type of REQUEST_TYPES) {
      const text = REQUEST_TYPE_FOR_PERSON[type];
      expect(text).toMatch(/\byou(r)?\b/);
      expect(text).not.toMatch(/Art\.|\btheir\b/);
    }
  });
});
