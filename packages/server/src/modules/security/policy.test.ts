import { SecurityPolicy } from '@custos/shared';
import { describe, expect, it } from 'vitest';
import { defaultPolicy, mfaEnrollmentState, mfaRequiredFor, type PolicyOnSession } from './policy';

const DAY = 86_400_000;
const T0 = Date.parse('2025-01-01T00:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

const policy = (over: Partial<PolicyOnSession> = {}): PolicyOnSession => ({
  mfaRequirement: 'all',
  mfaRoles: [],
  mfaGraceDays: 7,
  mfaRequiredSince: iso(T0),
  stepUpMinutes: 15,
  idleTimeoutMinutes: 30,
  ...over,
});

describe('defaultPolicy', () => {
  it('is a valid policy with MFA off and no session limit', () => {
    const p = defaultPolicy(12 * 3_600_000);
    expect(SecurityPolicy.parse(p)).toEqual(p);
    expect(p).toMatchObject({ mfaRequirement: 'off', maxConcurrentSessions: 0, absoluteLifetimeHours: 12 });
  });

  it('never has a lifetime under one hour, even for a tiny configured TTL', () => {
    expect(defaultPolicy(60_000).absoluteLifetimeHours).toBe(1);
  });
});

describe('mfaRequiredFor', () => {
  it('off: nobody', () => {
    expect(mfaRequiredFor({ mfaRequirement: 'off', mfaRoles: ['owner'] }, ['owner'])).toBe(false);
  });

  it('no policy row (null requirement): nobody', () => {
    expect(mfaRequiredFor({ mfaRequirement: null, mfaRoles: [] }, ['owner'])).toBe(false);
  });

  it('all: everyone, even without roles', () => {
    expect(mfaRequiredFor({ mfaRequirement: 'all', mfaRoles: [] }, ['member'])).toBe(true);
    expect(mfaRequiredFor({ mfaRequirement: 'all', mfaRoles: [] }, [])).toBe(true);
  });

  it('roles: only members holding one of the listed roles', () => {
    const p = { mfaRequirement: 'roles', mfaRoles: ['admin', 'owner'] };
    expect(mfaRequiredFor(p, ['admin'])).toBe(true);
    expect(mfaRequiredFor(p, ['member', 'owner'])).toBe(true);
    expect(mfaRequiredFor(p, ['member'])).toBe(false);
    expect(mfaRequiredFor(p, [])).toBe(false);
  });
});

describe('mfaEnrollmentState', () => {
  it('is not required when the user already has a factor', () => {
    expect(
      mfaEnrollmentState({
        policy: policy(),
        roles: ['member'],
        mfaEnabled: true,
        joinedAt: iso(T0),
        now: T0,
      }),
    ).toEqual({ required: false, deadline: null, blocking: false });
  });

  it('is not required when the policy does not cover the member', () => {
    expect(
      mfaEnrollmentState({
        policy: policy({ mfaRequirement: 'roles', mfaRoles: ['admin'] }),
        roles: ['member'],
        mfaEnabled: false,
        joinedAt: iso(T0),
        now: T0 + 30 * DAY,
      }),
    ).toEqual({ required: false, deadline: null, blocking: false });
  });

  it('counts the grace period from the requirement when the member joined before it', () => {
    const state = mfaEnrollmentState({
      policy: policy({ mfaRequiredSince: iso(T0) }),
      roles: ['member'],
      mfaEnabled: false,
      joinedAt: iso(T0 - 100 * DAY),
      now: T0 + DAY,
    });
    expect(state).toEqual({ required: true, deadline: iso(T0 + 7 * DAY), blocking: false });
  });

  it('counts the grace period from joining when the member joined after the requirement', () => {
    const joined = T0 + 20 * DAY;
    const state = mfaEnrollmentState({
      policy: policy({ mfaRequiredSince: iso(T0) }),
      roles: ['member'],
      mfaEnabled: false,
      joinedAt: iso(joined),
      now: joined + DAY,
    });
    expect(state).toEqual({ required: true, deadline: iso(joined + 7 * DAY), blocking: false });
  });

  it('blocks from the deadline on, not a moment before', () => {
    const input = { policy: policy(), roles: ['member'], mfaEnabled: false, joinedAt: iso(T0 - DAY) };
    const deadline = T0 + 7 * DAY;
    expect(mfaEnrollmentState({ ...input, now: deadline - 1 }).blocking).toBe(false);
    expect(mfaEnrollmentState({ ...input, now: deadline }).blocking).toBe(true);
    expect(mfaEnrollmentState({ ...input, now: deadline + 30 * DAY }).blocking).toBe(true);
  });

  it('with no grace period blocks at once', () => {
    expect(
      mfaEnrollmentState({
        policy: policy({ mfaGraceDays: 0 }),
        roles: ['member'],
        mfaEnabled: false,
        joinedAt: iso(T0 - DAY),
        now: T0,
      }),
    ).toMatchObject({ required: true, blocking: true, deadline: iso(T0) });
  });

  it('applies a role requirement to a member with a listed role', () => {
    expect(
      mfaEnrollmentState({
        policy: policy({ mfaRequirement: 'roles', mfaRoles: ['admin'] }),
        roles: ['member', 'admin'],
        mfaEnabled: false,
        joinedAt: iso(T0 - DAY),
        now: T0 + 8 * DAY,
      }),
    ).toMatchObject({ required: true, blocking: true });
  });
});
