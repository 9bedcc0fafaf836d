import { describe, expect, it } from 'vitest';
import { type PostureFacts, securityScore } from './score';
import { threatLevelOf } from './threat-level';

const good: PostureFacts = {
  privileged: 2,
  privilegedWithoutMfa: 0,
  members: 10,
  membersWithMfa: 10,
  policy: { mfaRequirement: 'all', idleTimeoutMinutes: 30, stepUpMinutes: 15, passwordMinLength: 12 },
  openCritical: 0,
  openHigh: 0,
  activeSessions: 5,
  staleSessions: 0,
  alertChannelEnabled: true,
  accessRuleEnabled: true,
};

const points = (facts: PostureFacts) =>
  Object.fromEntries(securityScore(facts).items.map((i) => [i.key, i.points]));

describe('security score', () => {
  it('weights sum to 100 and a fully met posture scores 100', () => {
    const score = securityScore(good);
    expect(score.items.reduce((sum, i) => sum + i.maxPoints, 0)).toBe(100);
    expect(score.value).toBe(100);
    expect(score.items.every((i) => i.advice.startsWith('Nothing to do'))).toBe(true);
  });

  it('scores 0 when nothing is met', () => {
    const score = securityScore({
      privileged: 2,
      privilegedWithoutMfa: 2,
      members: 4,
      membersWithMfa: 0,
      policy: { mfaRequirement: 'off', idleTimeoutMinutes: 600, stepUpMinutes: 60, passwordMinLength: 8 },
      openCritical: 1,
      openHigh: 0,
      activeSessions: 3,
      staleSessions: 3,
      alertChannelEnabled: false,
      accessRuleEnabled: false,
    });
    expect(score.value).toBe(0);
    expect(score.items.some((i) => i.advice.startsWith('Nothing to do'))).toBe(false);
  });

  it('rounds proportional items down, so full points mean fully met', () => {
    expect(points({ ...good, members: 100, membersWithMfa: 99 }).mfa_adoption).toBe(14);
    expect(points({ ...good, privileged: 3, privilegedWithoutMfa: 1 }).admins_mfa).toBe(13);
    expect(points({ ...good, activeSessions: 9, staleSessions: 1 }).stale_sessions).toBe(8);
  });

  it('earns proportional items in full when there is nothing to count (no NaN)', () => {
    const score = securityScore({ ...good, privileged: 0, members: 0, membersWithMfa: 0, activeSessions: 0 });
    expect(score.value).toBe(100);
    expect(score.items.every((i) => Number.isFinite(i.points))).toBe(true);
  });

  it('gives partial points for MFA required of some roles and a moderate idle timeout', () => {
    const p = points({
      ...good,
      policy: { ...good.policy, mfaRequirement: 'roles', idleTimeoutMinutes: 120 },
    });
    expect(p.mfa_required).toBe(5);
    expect(p.idle_timeout).toBe(5);
    expect(points({ ...good, policy: { ...good.policy, idleTimeoutMinutes: 121 } }).idle_timeout).toBe(0);
    expect(points({ ...good, policy: { ...good.policy, stepUpMinutes: 16 } }).step_up_window).toBe(0);
  });

  it('loses the open-threats item to a single open high event', () => {
    const score = securityScore({ ...good, openHigh: 1 });
    expect(score.value).toBe(85);
    expect(score.items.find((i) => i.key === 'no_open_threats')?.advice).toContain(
      '1 critical or high-severity event is open (0 critical, 1 high)',
    );
  });
});

describe('threat level', () => {
  const none = { low: 0, medium: 0, high: 0, critical: 0 };
  const level = (open: Partial<typeof none>, failedLastHour = 0, failedHourlyAverage = 0) =>
    threatLevelOf({ open: { ...none, ...open }, failedLastHour, failedHourlyAverage }).level;

  it('takes the highest rule that applies', () => {
    expect(level({})).toBe('low');
    expect(level({ low: 1 })).toBe('guarded');
    expect(level({ medium: 2 })).toBe('guarded');
    expect(level({ medium: 3 })).toBe('elevated');
    expect(level({ high: 1, medium: 5 })).toBe('high');
    expect(level({ critical: 1, high: 4 })).toBe('severe');
    expect(level({ high: 1 }, 500, 1)).toBe('high');
  });

  it('calls a surge only far above the average and above a floor', () => {
    expect(level({}, 10, 10 / 24)).toBe('elevated');
    expect(level({}, 9, 9 / 24)).toBe('low');
    // 12 an hour all day: 30 in the last hour is less than three times that
    expect(level({}, 30, 12)).toBe('low');
    expect(level({}, 36, 12)).toBe('elevated');
    expect(level({ low: 1 }, 9, 0)).toBe('guarded');
  });

  it('names the figures in the reason', () => {
    const { reason } = threatLevelOf({
      open: { ...none, medium: 1 },
      failedLastHour: 1,
      failedHourlyAverage: 0.25,
    });
    expect(reason).toBe(
      '1 open low or medium event needs triage. Open events: 0 critical, 0 high, 1 medium, 0 low; ' +
        '1 failed sign-in in the last hour against 0.3 an hour on average over 24 h.',
    );
  });
});
