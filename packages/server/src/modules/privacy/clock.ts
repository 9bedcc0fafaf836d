import { dueAt, localDate, REGIME_RULES, type Regime, requestClock } from '@custos/shared';
import type { RequestRow } from './requests-store';

/** What a request's clock is computed from: its own columns, so a later settings change cannot move it. */
export type ClockInputs = Pick<
  RequestRow,
  'regime' | 'receivedAt' | 'verifiedAt' | 'clockWaits' | 'timeZone' | 'extensions'
>;

export function isRegime(value: string): value is Regime {
  return Object.hasOwn(REGIME_RULES, value);
}

/** The statutory clock of a request, as the shared rules compute it in the organization's zone. */
export function clockOf(inputs: ClockInputs) {
  if (!isRegime(inputs.regime)) throw new Error(`privacy: unknown regime ${inputs.regime}`);
  const clock = requestClock({
    regime: inputs.regime,
    receivedAt: inputs.receivedAt,
    timeZone: inputs.timeZone,
    verifiedAt: inputs.verifiedAt,
    clockWaitsForVerification: inputs.clockWaits === 1,
    extensions: inputs.extensions,
  });
  return { ...clock, dueAt: dueAt(clock.dueDate, inputs.timeZone) };
}

/** The clock's columns, to store beside the request (they are what lists sort and the sweep scans by). */
export function clockColumns(inputs: ClockInputs) {
  const clock = clockOf(inputs);
  return {
    startDate: clock.startDate,
    ackBy: clock.acknowledgeBy,
    dueDate: clock.dueDate,
    dueAt: clock.dueAt,
    extensionNoticeBy: clock.extensionNoticeBy,
  };
}

/** Today in the request's zone. */
export const todayIn = (now: Date, timeZone: string) => localDate(now.toISOString(), timeZone);
