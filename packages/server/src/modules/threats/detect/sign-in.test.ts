import { describe, expect, it } from 'vitest';
import { HOUR, MINUTE } from './common';
import { ALICE, makeSignal, replay, settingsWith, T0 } from './test-fixtures';

const signIn = (at: number, country: string | null, ip = '203.0.113.7', extra = {}) =>
  makeSignal('sign_in_succeeded', { at, country, ip, ...extra });

describe('impossible_travel', () => {
  it('Paris then Sydney an hour later fires, with the distance and speed', async () => {
    const paris = signIn(T0, 'FR', '203.0.113.7');
    const sydney = signIn(T0 + HOUR, 'AU', '198.51.100.9');
    const [detection, ...rest] = (await replay([paris, sydney])).of('impossible_travel');
    expect(rest).toEqual([]);
    expect(detection).toMatchObject({
      severity: 'high',
      dedupKey: `impossible_travel:user:${ALICE}`,
      subject: { type: 'user', id: ALICE },
      userId: ALICE,
      sourceIp: '198.51.100.9',
      country: 'AU',
      details: { fromCountry: 'FR', toCountry: 'AU', elapsedMinutes: 60, thresholdKmh: 1000 },
    });
    expect(Number(detection?.details.distanceKm)).toBeGreaterThan(14_000);
    expect(detection?.explanation).toMatch(
      /^Alice signed in from Australia \(AU\) \(198\.51\.100\.9\) 1 hour after signing in from France \(FR\)/,
    );
    expect(detection?.evidence.map((e) => e.auditEventId)).toEqual([sydney.auditEventId, paris.auditEventId]);
  });

  it('the same journey in 30 hours does not fire', async () => {
    const run = await replay([signIn(T0, 'FR'), signIn(T0 + 30 * HOUR, 'AU')]);
    expect(run.of('impossible_travel')).toEqual([]);
  });

  it('neighbours under the minimum distance do not fire, even 10 minutes apart', async () => {
    const run = await replay([signIn(T0, 'BE'), signIn(T0 + 10 * MINUTE, 'NL')]);
    expect(run.of('impossible_travel')).toEqual([]);
  });

  it('compares consecutive located sign-ins only; unknown countries are skipped', async () => {
    const run = await replay([
      signIn(T0, 'FR'),
      signIn(T0 + 10 * HOUR, null),
      signIn(T0 + 40 * HOUR, 'AU'),
      signIn(T0 + 41 * HOUR, 'AU'),
    ]);
    expect(run.of('impossible_travel')).toEqual([]);
  });

  it('per-organization speed threshold overrides the default', async () => {
    const settings = settingsWith('impossible_travel', { thresholds: { speedKmh: 400 } });
    const run = await replay([signIn(T0, 'FR'), signIn(T0 + 30 * HOUR, 'AU')], settings);
    expect(run.of('impossible_travel')[0]?.details).toMatchObject({ thresholdKmh: 400 });
  });

  it('signing in from two far countries at the same instant fires', async () => {
    const run = await replay([signIn(T0, 'US'), signIn(T0, 'JP')]);
    expect(run.of('impossible_travel')[0]?.details).toMatchObject({ speedKmh: null, elapsedMinutes: 0 });
  });
});

describe('new_country and new_device', () => {
  it('report sign-ins the sessions module marked new, as low events', async () => {
    const run = await replay([
      signIn(T0, 'DE', '203.0.113.7', { newCountry: true }),
      signIn(T0 + HOUR, 'DE', '203.0.113.7', {
        newDevice: true,
        deviceLabel: 'Firefox on Linux',
        device: 'ff',
      }),
      signIn(T0 + 2 * HOUR, 'DE'),
    ]);
    expect(run.of('new_country')).toHaveLength(1);
    expect(run.of('new_country')[0]).toMatchObject({
      severity: 'low',
      dedupKey: `new_country:user:${ALICE}:DE`,
      explanation:
        'Alice signed in from Germany (DE) (203.0.113.7), a country they never signed in from before.',
    });
    expect(run.of('new_device')).toHaveLength(1);
    expect(run.of('new_device')[0]).toMatchObject({
      severity: 'low',
      dedupKey: `new_device:user:${ALICE}:ff`,
      explanation: 'Alice signed in from a new device: Firefox on Linux (203.0.113.7).',
    });
  });

  it('familiar sign-ins and failed ones do not fire', async () => {
    const run = await replay([
      signIn(T0, 'FR'),
      makeSignal('sign_in_failed', { newCountry: true, newDevice: true }),
    ]);
    expect(run.of('new_country')).toEqual([]);
    expect(run.of('new_device')).toEqual([]);
  });
});

describe('account_takeover', () => {
  const risky = (at: number) =>
    signIn(at, 'BR', '192.0.2.44', { newDevice: true, deviceLabel: 'Chrome on Windows', newCountry: true });
  const change = (at: number, action = 'user.password_changed') =>
    makeSignal('credential_changed', { at, action, ip: '192.0.2.44' });

  it('a new-device sign-in then a password change within the hour fires critical, with both events', async () => {
    const signInEvent = risky(T0);
    const changeEvent = change(T0 + 20 * MINUTE);
    const [detection] = (await replay([signInEvent, changeEvent])).of('account_takeover');
    expect(detection).toMatchObject({
      severity: 'critical',
      dedupKey: `account_takeover:user:${ALICE}`,
      userId: ALICE,
      sourceIp: '192.0.2.44',
      details: { change: 'user.password_changed', elapsedMinutes: 20, windowMinutes: 60 },
    });
    expect(detection?.explanation).toBe(
      'Alice changed their password 20 minutes after signing in from a new device (Chrome on Windows) and ' +
        'a new country (Brazil (BR)) at 192.0.2.44 (window 1 hour).',
    );
    expect(detection?.evidence.map((e) => e.auditEventId)).toEqual([
      changeEvent.auditEventId,
      signInEvent.auditEventId,
    ]);
  });

  it('the chain outside the window does not fire', async () => {
    expect((await replay([risky(T0), change(T0 + 61 * MINUTE)])).of('account_takeover')).toEqual([]);
  });

  it('a change after a familiar sign-in, or by another user, does not fire', async () => {
    expect((await replay([signIn(T0, 'FR'), change(T0 + MINUTE)])).of('account_takeover')).toEqual([]);
    const bob = makeSignal('credential_changed', { at: T0 + MINUTE, userId: 'usr_bob' });
    expect((await replay([risky(T0), bob])).of('account_takeover')).toEqual([]);
  });

  it('an MFA factor removed soon after a new-country sign-in fires too', async () => {
    const run = await replay([
      signIn(T0, 'BR', '192.0.2.44', { newCountry: true }),
      change(T0 + 5 * MINUTE, 'mfa.factor_removed'),
    ]);
    expect(run.of('account_takeover')[0]?.explanation).toMatch(
      /^Alice removed a second factor 5 minutes after/,
    );
  });

  it('a wider per-organization window catches a slower chain', async () => {
    const settings = settingsWith('account_takeover', { thresholds: { windowMinutes: 180 } });
    expect((await replay([risky(T0), change(T0 + 2 * HOUR)], settings)).of('account_takeover')).toHaveLength(
      1,
    );
  });
});
