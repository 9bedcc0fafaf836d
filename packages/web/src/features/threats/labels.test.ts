import { describe, expect, it } from 'vitest';
import { allowedTransitions, durationLabel, durationMinutes, durationOptions, humanizeKey } from './labels';

describe('threat labels', () => {
  it('spells threshold names out', () => {
    expect(humanizeKey('windowMinutes')).toBe('Window minutes');
    expect(humanizeKey('mfaFailures')).toBe('Failed second steps');
    expect(humanizeKey('speedKmh')).toBe('Speed (km/h)');
    expect(humanizeKey('ips')).toBe('IP addresses');
    expect(humanizeKey('someNewKey')).toBe('Some new key');
  });

  it('offers the triage moves the server allows', () => {
    expect(allowedTransitions('open')).toEqual(['acknowledged', 'resolved', 'false_positive']);
    expect(allowedTransitions('acknowledged')).toEqual(['resolved', 'false_positive', 'open']);
    expect(allowedTransitions('resolved')).toEqual(['open']);
    expect(allowedTransitions('false_positive')).toEqual(['open']);
  });

  it('reads and writes durations', () => {
    expect(durationLabel(60)).toBe('1 hour');
    expect(durationLabel(90)).toBe('90 minutes');
    expect(durationLabel(null)).toBe('until lifted');
    expect(durationMinutes('forever')).toBeNull();
    expect(durationMinutes('1440')).toBe(1440);
    expect(durationOptions(45)[0]).toEqual({ value: '45', label: '45 minutes' });
  });
});
