import { describe, expect, it } from 'vitest';
import { eventFigures } from './figures';

describe('eventFigures', () => {
  it('says what an audit tampering alarm found, with its sizes and no empty seq', () => {
    const figures = eventFigures({
      type: 'audit_tampering',
      details: { kind: 'rolled_back', signedSize: 1234, headSize: 1230, seq: 1231 },
    });
    expect(figures.map((f) => [f.label, f.value])).toEqual([
      ['What was found', 'Log rolled back'],
      ['Last signed checkpoint', '1,234 events'],
      ['Log in the database now', '1,230 events'],
      ['First missing event', '#1,231'],
    ]);
    const rewritten = eventFigures({
      type: 'audit_tampering',
      details: { kind: 'rewritten', signedSize: 8, headSize: 8, seq: null },
    });
    expect(rewritten.map((f) => f.key)).toEqual(['kind', 'signedSize', 'headSize']);
  });

  it('lists other detectors’ figures under their keys, leaving out empty ones', () => {
    const figures = eventFigures({
      type: 'brute_force_account',
      details: { failures: 12, windowMinutes: 5, baseline: null },
    });
    expect(figures.map((f) => [f.label, f.value])).toEqual([
      ['Failed sign-ins', '12'],
      ['Window', '5 minutes'],
    ]);
  });

  it('gives each number its unit in words, and shortens the absurd ones', () => {
    const figures = eventFigures({
      type: 'impossible_travel',
      details: {
        speedKmh: 1829320314,
        distanceKm: 8321.4,
        elapsedSeconds: 888,
        ratio: 642.13,
        records: 64210,
      },
    });
    expect(figures.map((f) => [f.label, f.value])).toEqual([
      [
        'Speed',
        `${new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 }).format(1829320314)} km/h`,
      ],
      ['Distance', `${(8321).toLocaleString()} km`],
      ['Elapsed', '14 min 48 s'],
      ['Ratio', '642×'],
      ['Records', (64210).toLocaleString()],
    ]);
  });

  it('falls back to the plain keys for an alarm kind it does not know', () => {
    const figures = eventFigures({
      type: 'audit_tampering',
      details: { kind: 'future_kind', signedSize: 3 },
    });
    expect(figures.map((f) => f.label)).toEqual(['Kind', 'Signed size']);
  });
});
