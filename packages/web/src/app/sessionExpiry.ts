import { createListenerMiddleware, isRejectedWithValue } from '@reduxjs/toolkit';
import { api } from './api';
import { isApiError } from './errors';

/**
 * When any call answers 401 UNAUTHENTICATED (session expired or revoked elsewhere), re-ask `/me`:
 * the shell then sees the 401 and sends the person to sign-in.
 */
export const sessionExpiry = createListenerMiddleware();

sessionExpiry.startListening({
  predicate: (action) =>
    isRejectedWithValue(action) &&
    isApiError(action.payload) &&
    action.payload.code === 'UNAUTHENTICATED' &&
    (action.meta as { arg?: { endpointName?: string } }).arg?.endpointName !== 'getMe',
  effect: (_action, listenerApi) => {
    listenerApi.dispatch(api.util.invalidateTags(['Me']));
  },
});
