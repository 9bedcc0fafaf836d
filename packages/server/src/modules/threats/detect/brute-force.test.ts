import { describe, expect, it } from 'vitest';
import { MINUTE } from './common';
import { MemoryDetectionState } from './memory-state';
import { ALICE, makeSignal, ORG, replay, series, settingsWith, T0 } from './test-fixtures';

describe('brute_force_account', () => {
  it('9 untrusted failures in 15 minutes do not fire; the 10th does, with a clear explanation', async () => {
    const nine = await replay(series(9, 'sign_in_failed', () => ({ reason: 'bad_password' })));
    expect(nine.of('brute_force_account')).toEqual([]);

    const signals = series(10, 'sign_in_failed', () => ({ reason: 'bad_password' }));
    const ten = await replay(signals);
    const [detection, ...rest] = ten.of('brute_force_account');
    expect(rest).toEqual([]);
    expect(ten.perSignal[9]?.map((d) => d.type)).toContain('brute_force_account');
    expect(detection).toMatchObject({
      severity: 'high',
      organizationId: ORG,
      dedupKey: `brute_force_account:user:${ALICE}`,
      subject: { type: 'user', id: ALICE, label: 'Alice' },
      userId: ALICE,
      sourceIp: '203.0.113.7',
      details: { observed: 10, threshold: 10, windowMinutes: 15, factor: 'password' },
    });
    expect(detection?.explanation).toBe(
      '10 failed sign-ins for Alice from browsers that are not theirs in 15 minutes (threshold 10).',
    );
    // Evidence: the contributing events, newest first.
    expect(detection?.evidence).toMatchObject(
      signals
        .map((s) => ({
          auditEventId: s.auditEventId,
          seq: s.seq,
          action: s.action,
          occurredAt: s.occurredAt,
        }))
        .reverse(),
    );
  });

  it('keeps firing on every failure at or above the threshold, escalating at 5×', async () => {
    const run = await replay(series(50, 'sign_in_failed', () => ({}), T0, 10_000));
    const fired = run.of('brute_force_account');
    expect(fired).toHaveLength(41);
    expect(fired[0]?.severity).toBe('high');
    expect(fired.at(-1)?.severity).toBe('critical');
    expect(fired.at(-1)?.evidence).toHaveLength(20);
    const seqs = fired.at(-1)?.evidence.map((e) => e.seq) ?? [];
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
  });

  it('30 failures from a trusted origin never count (the user cannot be locked out of their devices)', async () => {
    const run = await replay(series(30, 'sign_in_failed', () => ({ trustedOrigin: true })));
    expect(run.of('brute_force_account')).toEqual([]);
  });

  it('failures spread beyond the window do not fire', async () => {
    const run = await replay(series(30, 'sign_in_failed', () => ({}), T0, 2 * MINUTE));
    expect(run.of('brute_force_account')).toEqual([]);
  });

  it('counts per account: failures against different users do not add up', async () => {
    const run = await replay(series(12, 'sign_in_failed', (i) => ({ userId: `usr_${i % 2}` })));
    expect(run.of('brute_force_account')).toEqual([]);
  });

  it('5 failed second factors fire (the password was right), 4 do not', async () => {
    expect((await replay(series(4, 'mfa_failed'))).of('brute_force_account')).toEqual([]);
    const run = await replay(series(5, 'mfa_failed', () => ({ trustedOrigin: true })));
    const [detection] = run.of('brute_force_account');
    expect(detection?.details).toMatchObject({ factor: 'second_factor', observed: 5, threshold: 5 });
    expect(detection?.explanation).toMatch(
      /^5 failed second-factor checks for Alice after a correct password/,
    );
  });

  it('per-organization thresholds override the defaults', async () => {
    const settings = settingsWith('brute_force_account', { thresholds: { failures: 3, windowMinutes: 1 } });
    const run = await replay(
      series(3, 'sign_in_failed', () => ({}), T0, 10_000),
      settings,
    );
    expect(run.of('brute_force_account')[0]?.details).toMatchObject({
      observed: 3,
      threshold: 3,
      windowMinutes: 1,
    });
    const spread = await replay(
      series(6, 'sign_in_failed', () => ({}), T0, 40_000),
      settings,
    );
    expect(spread.of('brute_force_account')).toEqual([]);
  });
});

describe('brute_force_ip', () => {
  const attack = (count: number, everyMs = 10_000) =>
    series(
      count,
      'sign_in_failed',
      (i) => ({ userId: i % 3 === 0 ? null : `usr_${i}`, reason: 'unknown_user' }),
      T0,
      everyMs,
    );

  it('19 failures from one IP in 10 minutes do not fire; 20 over all accounts do', async () => {
    expect((await replay(attack(19))).of('brute_force_ip')).toEqual([]);
    const [detection] = (await replay(attack(20))).of('brute_force_ip');
    expect(detection).toMatchObject({
      severity: 'medium',
      dedupKey: 'brute_force_ip:ip:203.0.113.7',
      subject: { type: 'ip', id: '203.0.113.7', label: '203.0.113.7' },
      userId: null,
      details: { observed: 20, threshold: 20, windowMinutes: 10 },
    });
    expect(detection?.explanation).toBe(
      '20 failed sign-ins from 203.0.113.7 in 10 minutes over all accounts on this server (threshold 20).',
    );
  });

  it('failures spread beyond the window do not fire', async () => {
    expect((await replay(attack(40, MINUTE))).of('brute_force_ip')).toEqual([]);
  });

  it('a slow IP over the day is a suspicious IP: 100 failures in 24 hours fire high', async () => {
    const slow = attack(100, 10 * MINUTE);
    const run = await replay(slow);
    const fired = run.of('brute_force_ip');
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({ severity: 'high', details: { observedDaily: 100, suspiciousIp: true } });
    expect(fired[0]?.explanation).toMatch(
      /^Suspicious IP: 100 failed sign-ins from 203\.0\.113\.7 in 24 hours/,
    );
  });

  it('counts platform-log failures (unknown e-mail) and other tenants, but reports only to an organization', async () => {
    const platform = series(15, 'sign_in_failed', () => ({
      organizationId: null,
      userId: null,
      reason: 'unknown_user',
    }));
    const otherTenant = series(4, 'sign_in_failed', () => ({ organizationId: 'org_b' }), T0 + 10_000, 1000);
    const ours = makeSignal('sign_in_failed', { at: T0 + 20_000 });
    const run = await replay([...platform, ...otherTenant, ours]);
    // The platform signals and org_b's below threshold fired nothing; org_a's one failure is the 20th.
    expect(
      run.perSignal
        .slice(0, 19)
        .flat()
        .filter((d) => d.type === 'brute_force_ip'),
    ).toEqual([]);
    const [detection] = run.of('brute_force_ip');
    expect(detection?.organizationId).toBe(ORG);
    expect(detection?.details).toMatchObject({ observed: 20 });
    // Evidence never lists another tenant's (or the platform's) audit events.
    expect(detection?.evidence.map((e) => e.auditEventId)).toEqual([ours.auditEventId]);
  });

  it('keeps counting while an organization has it disabled', async () => {
    const settings = settingsWith('brute_force_ip', { enabled: false });
    const state = new MemoryDetectionState();
    expect((await replay(attack(15), settings, state)).of('brute_force_ip')).toEqual([]);
    // Enabled again: the failures seen meanwhile still count.
    const after = await replay(
      attack(5).map((s) => ({ ...s, at: s.at + 150_000 })),
      null,
      state,
    );
    expect(after.of('brute_force_ip')[0]?.details).toMatchObject({ observed: 20 });
  });
});

describe('credential_stuffing', () => {
  it('one IP failing on 4 distinct accounts does not fire; 5 (unknown addresses included) do', async () => {
    const accounts = (n: number) =>
      series(n, 'sign_in_failed', (i) =>
        i % 2 === 0
          ? { userId: null, accountKey: `email:hash${i}`, reason: 'unknown_user' }
          : { userId: `usr_${i}`, reason: 'bad_password' },
      );
    expect((await replay(accounts(4))).of('credential_stuffing')).toEqual([]);
    const [detection] = (await replay(accounts(5))).of('credential_stuffing');
    expect(detection).toMatchObject({
      severity: 'high',
      dedupKey: 'credential_stuffing:ip:203.0.113.7',
      subject: { type: 'ip', id: '203.0.113.7' },
      userId: null,
      details: { observed: 5, threshold: 5, windowMinutes: 10 },
    });
    expect(detection?.evidence).toHaveLength(5);
  });

  it('the same account failing many times is not stuffing', async () => {
    expect((await replay(series(30, 'sign_in_failed'))).of('credential_stuffing')).toEqual([]);
  });

  it('accounts spread beyond the window do not fire', async () => {
    const run = await replay(series(10, 'sign_in_failed', (i) => ({ userId: `usr_${i}` }), T0, 3 * MINUTE));
    expect(run.of('credential_stuffing')).toEqual([]);
  });

  it('counts accounts tried on other tenants and the platform log once per IP', async () => {
    const signals = [
      makeSignal('sign_in_failed', { organizationId: null, userId: null, accountKey: 'email:x' }),
      makeSignal('sign_in_failed', { organizationId: 'org_b', userId: 'usr_b1' }),
      makeSignal('sign_in_failed', { organizationId: 'org_c', userId: 'usr_c1' }),
      makeSignal('sign_in_failed', { userId: 'usr_a1' }),
      makeSignal('sign_in_failed', { userId: 'usr_a2' }),
    ];
    const run = await replay(signals);
    expect(run.of('credential_stuffing')).toHaveLength(1);
    expect(run.of('credential_stuffing')[0]?.organizationId).toBe(ORG);
  });
});

describe('password_spraying', () => {
  const fromIps = (n: number, everyMs = MINUTE) =>
    series(n, 'sign_in_failed', (i) => ({ ip: `198.51.100.${i + 1}` }), T0, everyMs);

  it('one account failing from 4 distinct IPs does not fire; 5 do', async () => {
    expect((await replay(fromIps(4))).of('password_spraying')).toEqual([]);
    const [detection] = (await replay(fromIps(5))).of('password_spraying');
    expect(detection).toMatchObject({
      severity: 'high',
      dedupKey: `password_spraying:user:${ALICE}`,
      subject: { type: 'user', id: ALICE },
      userId: ALICE,
      details: { observed: 5, threshold: 5, windowMinutes: 60 },
    });
    expect(detection?.explanation).toMatch(/^Sign-ins for Alice failed from 5 distinct IPs in 1 hour/);
  });

  it('IPs spread beyond the window, or trusted ones, do not count', async () => {
    expect((await replay(fromIps(10, 20 * MINUTE))).of('password_spraying')).toEqual([]);
    const trusted = series(8, 'sign_in_failed', (i) => ({ ip: `198.51.100.${i}`, trustedOrigin: true }));
    expect((await replay(trusted)).of('password_spraying')).toEqual([]);
  });
});
