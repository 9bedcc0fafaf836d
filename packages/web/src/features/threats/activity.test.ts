import { describe, expect, it } from 'vitest';
import { type Activity, activityActor, activityText, figureValue } from './activity';

const entry = (
  kind: Activity['kind'],
  data: Record<string, unknown>,
  name: string | null = null,
): Activity => ({
  id: 'a1',
  kind,
  actor: { id: name ? 'u1' : null, name },
  data,
  at: '2025-01-01T00:00:00.000Z',
});

describe('timeline entries', () => {
  it('puts each kind in words', () => {
    expect(activityText(entry('status_changed', { from: 'open', to: 'resolved' })).title).toBe(
      'Status: Open → Resolved',
    );
    expect(activityText(entry('repeated', { count: 46 }), 'brute_force_account').title).toBe(
      'Seen again: 46 attempts in all',
    );
    expect(activityText(entry('raised', { count: 1 }), 'new_device').title).toBe('Raised: 1 sign-in in all');
    expect(activityText(entry('note', { text: 'Called the user' }))).toEqual({
      title: 'Note',
      detail: 'Called the user',
    });
    expect(activityText(entry('response_applied', { responseId: 'r1', kind: 'lock_account' })).title).toBe(
      'Response applied: Account locked',
    );
    expect(activityText(entry('response_applied', { kind: 'block_ip', expiresAt: null })).detail).toBe(
      'Until lifted',
    );
    expect(activityText(entry('assigned', { to: null })).title).toBe('Unassigned');
    expect(activityText(entry('assigned', { from: null, to: 'u2', toName: 'Grace' })).title).toBe(
      'Assigned to Grace',
    );
    expect(activityText(entry('assigned', { to: { id: 'u2', name: 'Grace' } })).title).toBe(
      'Assigned to Grace',
    );
    expect(activityText(entry('alert_sent', { channelId: 'c1', status: 'delivered' }))).toEqual({
      title: 'Alert sent',
      detail: 'Delivery delivered',
    });
  });

  it('names the detector for its own entries', () => {
    expect(activityActor(entry('raised', {}))).toBe('Detector');
    expect(activityActor(entry('note', {}, 'Ada'))).toBe('Ada');
    expect(activityActor(entry('raised', {}), 'audit_tampering')).toBe('Checkpoint signer');
    expect(activityActor(entry('alert_sent', {}), 'audit_tampering')).toBe('Custos');
  });

  it('shows detector figures as text', () => {
    expect(figureValue(1234)).toBe((1234).toLocaleString());
    expect(figureValue(['a', 'b'])).toBe('a, b');
    expect(figureValue({ a: 1 })).toBe('{"a":1}');
    expect(figureValue(true)).toBe('Yes');
  });
});
