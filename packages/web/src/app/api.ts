import type { CustosClient } from '@custos/sdk';
import { createApi, fakeBaseQuery } from '@reduxjs/toolkit/query/react';
import { client } from './client';
import { type ApiError, toApiError } from './errors';

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
    'SavedSearches',
    'AuditSettings',
  ],
  endpoints: () => ({}),
});

/** Runs one SDK call and turns its outcome into an RTK Query result. */
export async function callSdk<T>(
  call: (sdk: CustosClient) => Promise<T>,
): Promise<{ data: T } | { error: ApiError }> {
  try {
    return { data: await call(client) };
  } catch (error) {
    return { error: toApiError(error) };
  }
}
