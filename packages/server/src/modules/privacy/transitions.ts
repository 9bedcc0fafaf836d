import { OPEN_REQUEST_STATES, type PrivacyRequestState } from '@custos/shared';

/**
 * The request's state machine as data: each action, the states it may start from and where it
 * leads. received → (verifying) → awaiting_approval → in_progress → completed, or denied / canceled
 * from any open state. `extend` keeps the state.
 */
export const TRANSITIONS = {
  verify: { from: ['received', 'verifying'], to: 'awaiting_approval' },
  approve: { from: ['awaiting_approval'], to: 'in_progress' },
  complete: { from: ['in_progress'], to: 'completed' },
  deny: { from: OPEN_REQUEST_STATES, to: 'denied' },
  cancel: { from: OPEN_REQUEST_STATES, to: 'canceled' },
  extend: { from: OPEN_REQUEST_STATES, to: null },
} as const satisfies Record<string, { from: readonly PrivacyRequestState[]; to: PrivacyRequestState | null }>;

export type RequestAction = keyof typeof TRANSITIONS;

export function canTransition(action: RequestAction, state: string): boolean {
  return (TRANSITIONS[action].from as readonly string[]).includes(state);
}

export const isOpenState = (state: string) => (OPEN_REQUEST_STATES as readonly string[]).includes(state);
