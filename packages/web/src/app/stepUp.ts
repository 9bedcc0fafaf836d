import type { StepUpOptions } from '@custos/shared';
import type { ApiError } from './errors';

/** What a user can step up with. */
export type StepUpMethod = StepUpOptions['methods'][number];

/** How a step-up request ended: verified, given up by the user, or not askable (no dialog mounted). */
export type StepUpOutcome = 'verified' | 'cancelled' | 'unavailable';

const METHODS: readonly StepUpMethod[] = ['totp', 'passkey', 'recovery_code', 'password'];

/** A step-up the console is waiting for: the methods the refusal listed, if it listed any. */
export interface StepUpRequest {
  methods: StepUpMethod[] | null;
}

/**
 * The bridge between `callSdk` and the one step-up dialog: a refused call waits on `requestStepUp`,
 * the dialog (subscribed through `useSyncExternalStore`) asks the user and settles every waiting
 * call at once. Kept outside Redux because what it holds are promise resolvers.
 */
let request: StepUpRequest | null = null;
let waiting: Array<(outcome: StepUpOutcome) => void> = [];
let hosts = 0;
const listeners = new Set<() => void>();

function emit(): void {
  for (const listener of listeners) listener();
}

export function subscribeStepUp(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function currentStepUp(): StepUpRequest | null {
  return request;
}

/** The dialog registers while mounted; without it a refusal is answered as it came. */
export function registerStepUpHost(): () => void {
  hosts++;
  return () => {
    hosts--;
    if (hosts === 0) settleStepUp('cancelled');
  };
}

/** Asks the user to step up; every call waiting meanwhile shares the one dialog and its outcome. */
export function requestStepUp(methods: StepUpMethod[] | null): Promise<StepUpOutcome> {
  if (hosts === 0) return Promise.resolve('unavailable');
  if (!request) {
    request = { methods };
    emit();
  }
  return new Promise((resolve) => waiting.push(resolve));
}

export function settleStepUp(outcome: Exclude<StepUpOutcome, 'unavailable'>): void {
  const resolvers = waiting;
  waiting = [];
  request = null;
  emit();
  for (const resolve of resolvers) resolve(outcome);
}

/** The methods a `STEP_UP_REQUIRED` refusal lists in `details.methods`, or null. */
export function stepUpMethods(error: ApiError): StepUpMethod[] | null {
  const details = error.details;
  const methods =
    typeof details === 'object' && details !== null ? (details as { methods?: unknown }).methods : undefined;
  if (!Array.isArray(methods)) return null;
  const known = methods.filter((m): m is StepUpMethod => METHODS.includes(m as StepUpMethod));
  return known.length > 0 ? known : null;
}
