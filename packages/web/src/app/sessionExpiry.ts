import { createListenerMiddleware, isRejectedWithValue, type UnknownAction } from '@reduxjs/toolkit';
import { api } from './api';
import { type ApiError, isApiError } from './errors';

/**
 * Refusals that say the session itself changed, whichever page made the call:
 * - 401 UNAUTHENTICATED (session expired, revoked elsewhere, or ended by an admin): re-ask `/me`,
 *   the shell then sees the 401 and sends the person to sign-in;
 * - 403 MFA_ENROLLMENT_REQUIRED (the grace period for setting up MFA is over): re-ask `/me`, whose
 *   `mfaEnrollment.blocking` makes the shell send every page to My security.
 */
export const sessionExpiry = createListenerMiddleware();

function refusedWith(action: UnknownAction, code: ApiError['code']): boolean {
  return (
    isRejectedWithValue(action) &&
    isApiError(action.payload) &&
    action.payload.code === code &&
    (action.meta as { arg?: { endpointName?: string } }).arg?.endpointName !== 'getMe'
  );
}

for (const code of ['UNAUTHENTICATED', 'MFA_ENROLLMENT_REQUIRED'] as const) {
  sessionExpiry.startListening({
    predicate: (action) => refusedWith(action, code),
    effect: (_action, listenerApi) => {
      listenerApi.dispatch(api.util.invalidateTags(['Me']));
    },
  });
}
