import {
  type PrivacySettingsOut,
  REGIME_RULES,
  REGIMES,
  type Regime,
  type UpdatePrivacySettingsBody,
} from '@custos/shared';
import type { Deps } from '../../deps';
import { nowIso } from '../../platform/clock';
import type { Executor } from '../../platform/db/executor';
import { authorize, type Caller } from '../../platform/http/caller';
import { findSettings, saveSettings } from './settings-store';

export const DEFAULT_REMINDER_DAYS = [7, 2] as const;

export interface ResolvedPrivacySettings {
  clockWaitsForVerification: Record<Regime, boolean>;
  reminderDaysBefore: number[];
  publicIntake: boolean;
  updatedAt: string | null;
}

/**
 * The organization's privacy settings: per regime whether the clock waits for identity
 * verification (the statutory default and its source are in REGIME_RULES), and the reminder days.
 */
export function createPrivacySettingsService(deps: Pick<Deps, 'db' | 'audit'>) {
  const { db, audit } = deps;

  async function resolve(ex: Executor, organizationId: string): Promise<ResolvedPrivacySettings> {
    const stored = await findSettings(ex, organizationId);
    const waits = Object.fromEntries(
      REGIMES.map((r) => [
        r,
        stored?.clockWaitsForVerification[r] ?? REGIME_RULES[r].clockWaitsForVerification,
      ]),
    ) as Record<Regime, boolean>;
    return {
      clockWaitsForVerification: waits,
      reminderDaysBefore: stored?.reminderDaysBefore ?? [...DEFAULT_REMINDER_DAYS],
      publicIntake: stored?.publicIntake ?? true,
      updatedAt: stored?.updatedAt ?? null,
    };
  }

  function present(settings: ResolvedPrivacySettings): PrivacySettingsOut {
    return {
      ...settings,
      regimes: REGIMES.map((regime) => ({
        regime,
        name: REGIME_RULES[regime].name,
        source: REGIME_RULES[regime].source,
        defaultClockWaitsForVerification: REGIME_RULES[regime].clockWaitsForVerification,
        clockWaitsForVerificationSource: REGIME_RULES[regime].clockWaitsForVerificationSource,
      })),
    };
  }

  return {
    resolve,

    async get(caller: Caller): Promise<PrivacySettingsOut> {
      const c = authorize(caller, 'privacy:read');
      return present(await resolve(db, c.organizationId));
    },

    async update(caller: Caller, body: UpdatePrivacySettingsBody): Promise<PrivacySettingsOut> {
      const c = authorize(caller, 'privacy:manage');
      return db.transaction().execute(async (trx) => {
        const before = await resolve(trx, c.organizationId);
        const stored = await findSettings(trx, c.organizationId);
        const waits = {
          ...(stored?.clockWaitsForVerification ?? {}),
          ...(body.clockWaitsForVerification ?? {}),
        };
        const reminders =
          body.reminderDaysBefore !== undefined
            ? [...new Set(body.reminderDaysBefore)].sort((a, b) => b - a)
            : (stored?.reminderDaysBefore ?? null);
        const updatedAt = nowIso();
        await saveSettings(
          trx,
          c.organizationId,
          {
            clockWaitsForVerification: waits,
            reminderDaysBefore: reminders,
            publicIntake: body.publicIntake ?? stored?.publicIntake ?? null,
            updatedAt,
          },
          c.kind === 'user' ? c.userId : c.apiKeyId,
        );
        const after = await resolve(trx, c.organizationId);
        await audit.record(trx, c, {
          action: 'privacy_settings.updated',
          targets: [{ type: 'organization', id: c.organizationId }],
          changes: {
            clockWaitsForVerification: [before.clockWaitsForVerification, after.clockWaitsForVerification],
            reminderDaysBefore: [before.reminderDaysBefore, after.reminderDaysBefore],
            publicIntake: [before.publicIntake, after.publicIntake],
          },
        });
        return present(after);
      });
    },
  };
}

export type PrivacySettingsService = ReturnType<typeof createPrivacySettingsService>;
