import { describe, expect, it } from 'vitest';
import type { Signal } from '../signal';
import { DAY, HOUR } from './common';
import { ALICE, makeSignal, replay, settingsWith, T0 } from './test-fixtures';

const MIDNIGHT = T0 - (T0 % DAY);

/** `days` working days of activity between 09:00 and 17:00 UTC, one event an hour. */
function officeHours(days: number): Signal[] {
  const out: Signal[] = [];
  for (let d = 0; d < days; d++) {
    for (let h = 9; h < 17; h++)
      out.push(makeSignal('activity', { at: MIDNIGHT - (days - d) * DAY + h * HOUR }));
  }
  return out;
}

const at3am = (dayOffset = 0) =>
  makeSignal('activity', { at: MIDNIGHT + dayOffset * DAY + 3 * HOUR + 60_000 });

describe('off_hours', () => {
  it('activity at 03:00 UTC from an office-hours user fires low, once per cooldown', async () => {
    const run = await replay([
      ...officeHours(10),
      at3am(),
      at3am(),
      makeSignal('activity', { at: MIDNIGHT + 4 * HOUR }),
    ]);
    const fired = run.of('off_hours');
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({
      severity: 'low',
      dedupKey: `off_hours:user:${ALICE}`,
      userId: ALICE,
      details: { hourUtc: 3, sharePercent: 0, observations: 80, rarePercent: 2 },
    });
    expect(fired[0]?.explanation).toBe(
      'Alice was active between 03:00 and 04:00 UTC, an hour holding 0% of their 80 earlier events (threshold 2%).',
    );
  });

  it('fires again after the cooldown', async () => {
    const run = await replay([...officeHours(10), at3am(), at3am(1)]);
    expect(run.of('off_hours')).toHaveLength(2);
  });

  it('does not judge before minObservations', async () => {
    // 6 days × 8 = 48 events < 50.
    expect((await replay([...officeHours(6), at3am()])).of('off_hours')).toEqual([]);
  });

  it('usual hours never fire', async () => {
    const run = await replay([...officeHours(10), makeSignal('activity', { at: MIDNIGHT + 10 * HOUR })]);
    expect(run.of('off_hours')).toEqual([]);
  });

  it('learns a new routine: once an hour holds enough of the history it is usual', async () => {
    const nights = Array.from({ length: 5 }, (_, d) => at3am(d));
    const settings = settingsWith('off_hours', { thresholds: { cooldownHours: 1 } });
    const run = await replay([...officeHours(10), ...nights], settings);
    // 1st: 0%; 2nd: 1/81 = 1.2%; 3rd: 2/82 = 2.4% (usual from here on).
    expect(run.of('off_hours')).toHaveLength(2);
  });

  it('sign-ins teach and trigger it too; per-organization settings apply', async () => {
    const settings = settingsWith('off_hours', { thresholds: { minObservations: 100 } });
    const signals = [...officeHours(10), makeSignal('sign_in_succeeded', { at: MIDNIGHT + 2 * HOUR })];
    expect((await replay(signals, settings)).of('off_hours')).toEqual([]);
    expect((await replay(signals)).of('off_hours')).toHaveLength(1);
  });
});
