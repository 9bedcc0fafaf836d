import { describe, expect, it } from 'vitest';
import { MINUTE } from './common';
import { ALICE, makeSignal, replay, series, settingsWith, T0 } from './test-fixtures';

const denied =
  (permission: string | null, code: string | null = null) =>
  () => ({ permission, code });

describe('privilege_escalation', () => {
  it('4 denials of admin permissions in 10 minutes do not fire; 5 do (high)', async () => {
    expect(
      (await replay(series(4, 'access_denied', denied('members:manage')))).of('privilege_escalation'),
    ).toEqual([]);
    const signals = series(5, 'access_denied', (i) =>
      i % 2
        ? { permission: 'apikeys:create' }
        : { permission: 'roles:manage', code: 'PERMISSION_NOT_GRANTABLE' },
    );
    const [detection] = (await replay(signals)).of('privilege_escalation');
    expect(detection).toMatchObject({
      severity: 'high',
      dedupKey: `privilege_escalation:user:${ALICE}`,
      userId: ALICE,
      details: { denials: 5, denialThreshold: 5, windowMinutes: 10 },
    });
    expect(detection?.explanation).toBe(
      '5 administrative actions of Alice were denied in 10 minutes (threshold 5); latest refused: roles:manage.',
    );
    expect(detection?.evidence).toHaveLength(5);
  });

  it('ordinary denials (reading, writing documents) never count', async () => {
    const run = await replay(series(30, 'access_denied', denied('documents:write', 'FORBIDDEN')));
    expect(run.of('privilege_escalation')).toEqual([]);
  });

  it('admin denials spread beyond the window do not fire', async () => {
    const run = await replay(series(20, 'access_denied', denied('privacy:erase'), T0, 3 * MINUTE));
    expect(run.of('privilege_escalation')).toEqual([]);
  });

  it('any attempt to change one’s own roles fires at once (medium), high from the third', async () => {
    const attempts = series(3, 'access_denied', denied('members:manage', 'CANNOT_CHANGE_OWN_ROLES'));
    const run = await replay(attempts);
    expect(run.perSignal.map((ds) => ds.find((d) => d.type === 'privilege_escalation')?.severity)).toEqual([
      'medium',
      'medium',
      'high',
    ]);
    expect(run.perSignal[0]?.[0]?.explanation).toBe(
      'Alice tried to change their own roles once in 10 minutes (threshold 1); latest refused: members:manage.',
    );
  });

  it('per-organization thresholds override the defaults; a disabled detector never fires', async () => {
    const strict = settingsWith('privilege_escalation', { thresholds: { denials: 2 } });
    expect(
      (await replay(series(2, 'access_denied', denied('access:register')), strict)).of(
        'privilege_escalation',
      ),
    ).toHaveLength(1);
    const off = settingsWith('privilege_escalation', { enabled: false });
    const selfGrant = makeSignal('access_denied', { code: 'CANNOT_CHANGE_OWN_ROLES' });
    expect((await replay([selfGrant], off)).all).toEqual([]);
  });
});
