import { canExtend, localDate, type PrivacyRequestOut, REGIME_RULES, requestClock } from '@custos/shared';
import { formatCalendarDate } from './countdown';

/**
 * Which actions a request offers in its state, mirroring the server's state machine (its answer
 * still decides): verify from received or verifying, approve once verified, complete while in
 * progress, deny / cancel / extend while open.
 */
export type ActionName = 'verify' | 'approve' | 'complete' | 'deny' | 'cancel' | 'extend';

const FROM: Record<ActionName, readonly PrivacyRequestOut['state'][]> = {
  verify: ['received', 'verifying'],
  approve: ['awaiting_approval'],
  complete: ['in_progress'],
  deny: ['received', 'verifying', 'awaiting_approval', 'in_progress'],
  cancel: ['received', 'verifying', 'awaiting_approval', 'in_progress'],
  extend: ['received', 'verifying', 'awaiting_approval', 'in_progress'],
};

export const ACTION_ORDER: readonly ActionName[] = [
  'verify',
  'approve',
  'complete',
  'extend',
  'deny',
  'cancel',
];

export interface Offered {
  action: ActionName;
  /** Why the action is shown but cannot be used now (e.g. no extension left). */
  disabledReason?: string;
}

export function offeredActions(
  request: Pick<PrivacyRequestOut, 'state' | 'regime' | 'extensions' | 'clock'>,
  now: Date = new Date(),
): Offered[] {
  const offered: Offered[] = [];
  for (const action of ACTION_ORDER) {
    if (!FROM[action].includes(request.state)) continue;
    if (action !== 'extend') {
      offered.push({ action });
      continue;
    }
    const today = localDate(now.toISOString(), request.clock.timeZone);
    const verdict = canExtend(request.regime, request.extensions, today, request.clock);
    const rules = REGIME_RULES[request.regime];
    offered.push(
      verdict.ok
        ? { action }
        : {
            action,
            disabledReason:
              verdict.reason === 'max_extensions'
                ? `${rules.name} allows ${rules.maxExtensions === 1 ? 'one extension' : `${rules.maxExtensions} extensions`}; all are used.`
                : `An extension had to be notified to the person by ${formatCalendarDate(request.clock.extensionNoticeBy)}; that time has passed.`,
          },
    );
  }
  return offered;
}

/**
 * The due date one more extension gives (YYYY-MM-DD), counted from the clock's start date as the
 * server does (never from an already rolled date); null when the regime allows no more.
 */
export function extendedDueDate(
  request: Pick<PrivacyRequestOut, 'regime' | 'extensions' | 'clock'>,
): string | null {
  if (request.extensions >= REGIME_RULES[request.regime].maxExtensions) return null;
  // Noon UTC on the start date, read in UTC, is that same day: the clock counts whole days.
  return requestClock({
    regime: request.regime,
    receivedAt: `${request.clock.startDate}T12:00:00Z`,
    timeZone: 'UTC',
    extensions: request.extensions + 1,
  }).dueDate;
}
