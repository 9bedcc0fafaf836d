import type { AuditEventOut } from '@custos/shared';
import { describe, expect, it } from 'vitest';
import { sessionLabel } from './present';

const event = (over: Partial<AuditEventOut>): AuditEventOut => ({
  id: 'e',
  organizationId: 'o',
  seq: 1,
  occurredAt: '2026-01-01T00:00:00.000Z',
  receivedAt: '2026-01-01T00:00:00.000Z',
  actor: { type: 'user', id: 'u-1', name: 'Ada Lovelace', email: null, ip: null, userAgent: null },
  impersonator: null,
  action: 'user.signed_in',
  outcome: 'success',
  targets: [{ type: 'session', id: 's-1' }],
  source: 'console',
  requestId: null,
  changes: null,
  metadata: null,
  leafHash: 'h',
  erased: [],
  purged: false,
  integrity: 'intact',
  ...over,
});

describe('session target names', () => {
  it("names a sign-in's session after its user actor, with the recorded device", () => {
    expect(sessionLabel(event({ metadata: { device: 'Firefox on macOS' } }))).toBe(
      'session of Ada Lovelace (Firefox on macOS)',
    );
    expect(sessionLabel(event({}))).toBe('session of Ada Lovelace');
  });

  it("prefers the user the event targets (an admin's revocation), named or resolved", () => {
    const targets = [
      { type: 'session', id: 's-1' },
      { type: 'user', id: 'u-2', displayName: 'Grace Hopper' },
    ];
    expect(sessionLabel(event({ action: 'session.revoked', targets }))).toBe('session of Grace Hopper');
  });

  it('never shows an erased name, and names nothing it cannot tell', () => {
    const erased = event({ actor: { ...event({}).actor, name: '[erased]' } });
    expect(sessionLabel(erased)).toBeNull();
    expect(sessionLabel(event({ actor: { ...event({}).actor, type: 'system', name: null } }))).toBeNull();
    expect(sessionLabel(event({ targets: [{ type: 'session', id: 's-1', name: 'Recorded' }] }))).toBeNull();
  });
});
