import { reminderDates } from '@custos/shared';
import type { Deps } from '../../deps';
import type { ComplianceViolation } from '../threats';
import { todayIn } from './clock';
import * as store from './requests-store';
import type { PrivacySettingsService } from './settings-service';
import { appendTimeline } from './timeline';

/** Reminders are at most this many days ahead (the settings allow 60), so the sweep looks this far. */
const HORIZON_MS = 61 * 86_400_000;
const PAGE = 500;

export interface ClockSweepDeps extends Pick<Deps, 'db' | 'log'> {
  settings: PrivacySettingsService;
  /** Raises the compliance-violation security event (threats' port); it reaches the alert channels. */
  raiseViolation: (violation: ComplianceViolation) => Promise<unknown>;
}

export interface SweepResult {
  reminders: number;
  overdue: number;
}

/**
 * The statutory clocks' background pass over every open request whose clock runs: on each reminder
 * date a `reminder` timeline entry, and once the due instant has passed one `overdue` entry and one
 * compliance-violation alert. Both are claimed with conditional updates, so running it again (or on
 * two servers) records nothing twice; the alert is raised before its claim and folds into the open
 * security event of the same key, so a crash between the two cannot lose it.
 */
export function createClockSweep(deps: ClockSweepDeps) {
  const { db, settings, raiseViolation } = deps;

  async function remind(row: store.RequestRow, now: Date, days: number[]): Promise<boolean> {
    const today = todayIn(now, row.timeZone);
    const due = reminderDates(row.dueDate, days).filter((d) => d <= today);
    const latest = due.at(-1);
    if (!latest || (row.remindedFor !== null && row.remindedFor >= latest)) return false;
    return db.transaction().execute(async (trx) => {
      if (!(await store.claimReminder(trx, row.organizationId, row.id, latest))) return false;
      await appendTimeline(trx, {
        organizationId: row.organizationId,
        requestId: row.id,
        kind: 'reminder',
        caller: null,
        data: { reminderDate: latest, dueDate: row.dueDate, dueAt: row.dueAt },
        at: now.toISOString(),
      });
      return true;
    });
  }

  async function alertOverdue(row: store.RequestRow, now: Date): Promise<boolean> {
    if (row.overdueAlertedAt !== null) return false;
    await raiseViolation({
      type: 'privacy_request_overdue',
      organizationId: row.organizationId,
      dedupKey: `privacy_request_overdue:${row.id}`,
      subject: {
        type: 'privacy_request',
        id: row.id,
        label: `${row.type} request (${row.regime.toUpperCase()})`,
      },
      explanation:
        `A ${row.regime.toUpperCase()} ${row.type} request received ${row.receivedAt.slice(0, 10)} was due ` +
        `${row.dueDate} and is still ${row.state.replace('_', ' ')}: answer it, or record why it is denied.`,
      details: {
        requestId: row.id,
        type: row.type,
        regime: row.regime,
        dueDate: row.dueDate,
        state: row.state,
      },
    });
    return db.transaction().execute(async (trx) => {
      const at = now.toISOString();
      if (!(await store.claimOverdueAlert(trx, row.organizationId, row.id, at))) return false;
      await appendTimeline(trx, {
        organizationId: row.organizationId,
        requestId: row.id,
        kind: 'overdue',
        caller: null,
        data: { dueDate: row.dueDate, dueAt: row.dueAt, alerted: true },
        at,
      });
      return true;
    });
  }

  return async function sweep(now: Date = new Date()): Promise<SweepResult> {
    const result: SweepResult = { reminders: 0, overdue: 0 };
    const nowIso = now.toISOString();
    const horizon = new Date(now.getTime() + HORIZON_MS).toISOString();
    const reminderDays = new Map<string, number[]>();
    let after: { dueAt: string; id: string } | null = null;
    for (;;) {
      const rows = await store.openRequestsDueBefore(db, horizon, after, PAGE);
      for (const row of rows) {
        if (row.dueAt < nowIso) {
          if (await alertOverdue(row, now)) result.overdue += 1;
          continue;
        }
        let days = reminderDays.get(row.organizationId);
        if (!days) {
          days = (await settings.resolve(db, row.organizationId)).reminderDaysBefore;
          reminderDays.set(row.organizationId, days);
        }
        if (await remind(row, now, days)) result.reminders += 1;
      }
      const last = rows.at(-1);
      if (!last || rows.length < PAGE) break;
      after = { dueAt: last.dueAt, id: last.id };
    }
    return result;
  };
}
