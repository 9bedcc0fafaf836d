import type { CustosClient } from '@custos/sdk';
import { createApi, fakeBaseQuery } from '@reduxjs/toolkit/query/react';
import { client } from './client';
import { type ApiError, toApiError } from './errors';
import { requestStepUp, stepUpMethods } from './stepUp';

/**
 * The console's one RTK Query api. Every endpoint is a `queryFn` that calls the typed SDK client;
 * features inject their endpoints from `features/<domain>/api.ts`.
 */
export const api = createApi({
  reducerPath: 'api',
  baseQuery: fakeBaseQuery<ApiError>(),
  tagTypes: [
    'Setup',
    'Me',
    'Roles',
    'Members',
    'Invitations',
    'ApiKeys',
    'Organizations',
    'Outbox',
    'AuditEvents',
    'AuditCheckpoint',
    'AuditIntegrity',
    'SavedSearches',
    'AuditSettings',
    'MySecurity',
    'MySessions',
    'Sessions',
    'SecurityPolicy',
    'AdminUsers',
    'AccessRules',
    'SecurityOverview',
    'SecurityEvents',
    'ThreatResponses',
    'ThreatSettings',
    'AlertChannels',
    'AlertDeliveries',
  ],
  endpoints: () => ({}),
});

/** A call refused for a missing step-up is asked again after the user verifies, this many times at most. */
const STEP_UP_RETRIES = 2;

/**
 * Runs one SDK call and turns its outcome into an RTK Query result. A `STEP_UP_REQUIRED` refusal
 * opens the step-up dialog; once the user has verified, the call runs again and its answer is the
 * result, so no page handles step-up itself.
 */
export async function callSdk<T>(
  call: (sdk: CustosClient) => Promise<T>,
): Promise<{ data: T } | { error: ApiError }> {
  for (let attempt = 0; ; attempt++) {
    try {
      return { data: await call(client) };
    } catch (thrown) {
      const error = toApiError(thrown);
      if (error.code !== 'STEP_UP_REQUIRED' || attempt >= STEP_UP_RETRIES) return { error };
      const outcome = await requestStepUp(stepUpMethods(error));
      if (outcome === 'unavailable') return { error };
      if (outcome === 'cancelled') {
        return {
          error: {
            ...error,
            message: 'This action needs you to confirm it is you. Try again and verify when asked.',
          },
        };
      }
    }
  }
}
