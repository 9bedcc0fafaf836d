import { describe, expect, it } from 'vitest';
import type { RequestMeta } from '../../platform/http/caller';
import { DEFAULT_ACCESS } from '../access';
import { callerFromContext, isLive } from './context';
import type { SessionContextRow } from './store';

const NOW = Date.parse('2025-03-01T12:00:00.000Z');
const MINUTE = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
const META: RequestMeta = { ip: null, userAgent: null, requestId: null, source: 'api' };

const row = (over: Partial<SessionContextRow> = {}): SessionContextRow => ({
  sessionId: 's1',
  userId: 'u1',
  organizationId: 'o1',
  expiresAt: iso(NOW + 60 * MINUTE),
  lastSeenAt: iso(NOW - MINUTE),
  revokedAt: null,
  stepUpAt: null,
  stepUpDemandedAt: null,
  impersonatorId: null,
  impersonation: null,
  email: 'a@example.com',
  name: 'A',
  isSuperAdmin: 0,
  disabledAt: null,
  userCreatedAt: iso(NOW - 1000 * MINUTE),
  mfaEnabledAt: null,
  roles: '["member"]',
  joinedAt: iso(NOW - 1000 * MINUTE),
  mfaRequirement: null,
  mfaRoles: null,
  accessVersion: 0,
  mfaGraceDays: null,
  mfaRequiredSince: null,
  stepUpMinutes: null,
  idleTimeoutMinutes: null,
  ...over,
});

describe('isLive', () => {
  it('accepts a fresh, active session', () => {
    expect(isLive(row(), NOW)).toBe(true);
  });

  it('refuses a revoked session', () => {
    expect(isLive(row({ revokedAt: iso(NOW - MINUTE) }), NOW)).toBe(false);
  });

  it('refuses a disabled user', () => {
    expect(isLive(row({ disabledAt: iso(NOW - MINUTE) }), NOW)).toBe(false);
  });

  it('refuses a session at or past its absolute lifetime', () => {
    expect(isLive(row({ expiresAt: iso(NOW) }), NOW)).toBe(false);
    expect(isLive(row({ expiresAt: iso(NOW - 1) }), NOW)).toBe(false);
  });

  it("uses the organization's idle timeout", () => {
    const policy = { idleTimeoutMinutes: 5 };
    expect(isLive(row({ ...policy, lastSeenAt: iso(NOW - 4 * MINUTE) }), NOW)).toBe(true);
    expect(isLive(row({ ...policy, lastSeenAt: iso(NOW - 6 * MINUTE) }), NOW)).toBe(false);
    // a longer organization timeout keeps an hour-idle session alive
    expect(isLive(row({ idleTimeoutMinutes: 120, lastSeenAt: iso(NOW - 60 * MINUTE) }), NOW)).toBe(true);
  });

  it('falls back to 30 minutes idle when the organization has no policy', () => {
    expect(isLive(row({ lastSeenAt: iso(NOW - 29 * MINUTE) }), NOW)).toBe(true);
    expect(isLive(row({ lastSeenAt: iso(NOW - 31 * MINUTE) }), NOW)).toBe(false);
  });

  it('refuses a session in an organization the user has left (no membership)', () => {
    expect(isLive(row({ roles: null, joinedAt: null }), NOW)).toBe(false);
  });

  it('accepts a session without organization (a super admin outside any)', () => {
    expect(isLive(row({ organizationId: null, roles: null, joinedAt: null }), NOW)).toBe(true);
  });
});

describe('callerFromContext', () => {
  it("carries the organization's step-up window and the member's permissions", () => {
    const caller = callerFromContext(
      row({ stepUpMinutes: 60, roles: '["admin"]' }),
      META,
      NOW,
      DEFAULT_ACCESS,
    );
    expect(caller.stepUpMinutes).toBe(60);
    expect(caller.permissions.has('security:manage')).toBe(true);
  });

  it('blocks a covered member without a factor after the grace period', () => {
    const caller = callerFromContext(
      row({
        mfaRequirement: 'all',
        mfaRoles: '[]',
        mfaGraceDays: 1,
        mfaRequiredSince: iso(NOW - 3 * 1440 * MINUTE),
        joinedAt: iso(NOW - 10 * 1440 * MINUTE),
      }),
      META,
      NOW,
      DEFAULT_ACCESS,
    );
    expect(caller.mfaEnrollment).toMatchObject({ required: true, blocking: true });
  });

  it('never blocks an impersonation session', () => {
    const caller = callerFromContext(
      row({
        mfaRequirement: 'all',
        mfaGraceDays: 0,
        mfaRequiredSince: iso(NOW - 1440 * MINUTE),
        impersonatorId: 'admin',
        impersonation: JSON.stringify({ sessionId: 's', reason: 'help', name: 'Admin', email: 'a@x' }),
      }),
      META,
      NOW,
      DEFAULT_ACCESS,
    );
    expect(caller.mfaEnrollment.blocking).toBe(false);
    expect(caller.impersonator?.userId).toBe('admin');
  });
});
