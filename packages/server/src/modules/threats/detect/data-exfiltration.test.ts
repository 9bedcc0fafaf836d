import { describe, expect, it } from 'vitest';
import type { Signal } from '../signal';
import { DAY, HOUR, MINUTE } from './common';
import { ALICE, makeSignal, replay, settingsWith, T0 } from './test-fixtures';

/** `days` earlier UTC days of one export of `perDay` records each, then today's exports. */
function history(days: number, perDay: number, today: number[]): Signal[] {
  const earlier = Array.from({ length: days }, (_, d) =>
    makeSignal('data_export', { at: T0 - (days - d) * DAY, volume: perDay }),
  );
  const now = today.map((volume, i) => makeSignal('data_export', { at: T0 + i * 10 * MINUTE, volume }));
  return [...earlier, ...now];
}

describe('data_exfiltration', () => {
  it('5× the usual daily volume does not fire; 20× does (high), against the user’s own baseline', async () => {
    expect((await replay(history(3, 200, [1000]))).of('data_exfiltration')).toEqual([]);
    const [detection] = (await replay(history(3, 200, [4000]))).of('data_exfiltration');
    expect(detection).toMatchObject({
      severity: 'high',
      dedupKey: `data_exfiltration:user:${ALICE}`,
      userId: ALICE,
      details: { recordsToday: 4000, baselinePerDay: 200, historyDays: 3, baselineMultiplier: 10 },
    });
    expect(detection?.explanation).toBe(
      'Alice exported 4000 records today (UTC), 20× their usual 200 a day (threshold 10× of at least 100).',
    );
  });

  it('sums a day’s exports: a burst of small ones crosses the baseline', async () => {
    const run = await replay(history(4, 100, [300, 300, 300, 300]));
    expect(run.of('data_exfiltration')).toHaveLength(1);
    expect(run.perSignal.at(-1)?.[0]?.details).toMatchObject({ recordsToday: 1200 });
  });

  it('does not judge against a baseline before minHistoryDays, and floors it at minBaseline', async () => {
    expect((await replay(history(2, 10, [5000]))).of('data_exfiltration')).toEqual([]);
    // Baseline 10 a day, floored to 100: 900 today is under 10 × 100.
    expect((await replay(history(5, 10, [900]))).of('data_exfiltration')).toEqual([]);
  });

  it('the daily cap fires critical regardless of history', async () => {
    const [detection] = (await replay(history(0, 0, [10_000]))).of('data_exfiltration');
    expect(detection?.severity).toBe('critical');
    expect(detection?.explanation).toMatch(
      /^Alice exported 10000 records today \(UTC\), at or above the daily cap/,
    );
  });

  it('20 export events in an hour fire high regardless of history; 19 do not', async () => {
    const exports = (n: number) =>
      Array.from({ length: n }, (_, i) => makeSignal('data_export', { at: T0 + i * 2 * MINUTE, volume: 1 }));
    expect((await replay(exports(19))).of('data_exfiltration')).toEqual([]);
    const [detection] = (await replay(exports(20))).of('data_exfiltration');
    expect(detection).toMatchObject({ severity: 'high', details: { exportsLastHour: 20 } });
    expect(detection?.evidence).toHaveLength(20);
    // Spread over more than an hour: no.
    const slow = Array.from({ length: 25 }, (_, i) => makeSignal('data_export', { at: T0 + i * 4 * MINUTE }));
    expect((await replay(slow)).of('data_exfiltration')).toEqual([]);
  });

  it('per-organization thresholds override the defaults', async () => {
    const settings = settingsWith('data_exfiltration', { thresholds: { baselineMultiplier: 3 } });
    expect((await replay(history(3, 200, [1000]), settings)).of('data_exfiltration')).toHaveLength(1);
    const capped = settingsWith('data_exfiltration', { thresholds: { dailyCap: 500 } });
    expect((await replay(history(0, 0, [600]), capped)).of('data_exfiltration')[0]?.severity).toBe(
      'critical',
    );
  });

  it('forgets days older than the history horizon', async () => {
    // 40 days of 10 000 a day long ago would make a huge baseline; only the last 30 days count.
    const old = Array.from({ length: 5 }, (_, d) =>
      makeSignal('data_export', { at: T0 - (60 + d) * DAY, volume: 9000 }),
    );
    const recent = Array.from({ length: 3 }, (_, d) =>
      makeSignal('data_export', { at: T0 - (d + 1) * DAY, volume: 100 }),
    );
    const today = makeSignal('data_export', { at: T0 + HOUR, volume: 2000 });
    const run = await replay([...old, ...recent, today]);
    expect(run.perSignal.at(-1)?.[0]?.details).toMatchObject({ baselinePerDay: 100, historyDays: 3 });
  });
});
