import type { AuditEventInput, AuditSearchQuery } from '@custos/shared';
import { type AuditVerifyOptions, verifyAuditHistory } from './audit-verify';
import type { CustosClient } from './client';
import type {
  AuditBatchResult,
  AuditCheckpointList,
  AuditCheckpointOut,
  AuditEventWithProof,
  AuditExportFormat,
  AuditIntegrityOut,
  AuditKeysOut,
  AuditReceiptResult,
  AuditSearchParams,
  AuditSearchResult,
  AuditSettingsBody,
  AuditSettingsOut,
  ConsistencyProofOut,
  EraseSubjectResult,
  InclusionProofOut,
  SavedSearchBody,
  SavedSearchOut,
} from './types';

type QueryValue = string | number | boolean | null | undefined;

/** `?a=1&b=x` from the defined values, in a stable order; empty when there are none. */
export function queryString(params: Record<string, QueryValue> | object): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

interface IngestOptions {
  /** Retries with the same key (kept 24 h) answer the first receipts instead of writing again. */
  idempotencyKey?: string;
}

const byId = (path: string, id: string) => `${path}/${encodeURIComponent(id)}`;

/** The audit-trail part of `CustosClient`, built once per client. */
export function createAuditApi(client: CustosClient) {
  const ingestHeaders = (options: IngestOptions) =>
    options.idempotencyKey ? { headers: { 'idempotency-key': options.idempotencyKey } } : {};

  const api = {
    /** Records one event (API key with audit:write). */
    ingest: (event: AuditEventInput, options: IngestOptions = {}) =>
      client.request<AuditReceiptResult>('POST', '/api/v1/audit/events', event, ingestHeaders(options)),
    /** Records up to 1000 events atomically: one bad event and none are written. */
    ingestBatch: (events: AuditEventInput[], options: IngestOptions = {}) =>
      client.request<AuditBatchResult>(
        'POST',
        '/api/v1/audit/events/batch',
        { events },
        ingestHeaders(options),
      ),

    /** One page of events matching the filters, newest first; pass `nextCursor` as `before` for the next. */
    search: (params: AuditSearchParams = {}) =>
      client.request<AuditSearchResult>('GET', `/api/v1/audit/events${queryString(params)}`),
    /** One event with its inclusion proof against the latest signed checkpoint. */
    event: (id: string) => client.request<AuditEventWithProof>('GET', byId('/api/v1/audit/events', id)),
    /** Inclusion proof of an event in the tree of `treeSize` (default: the latest checkpoint). */
    inclusionProof: (id: string, treeSize?: number) =>
      client.request<InclusionProofOut>(
        'GET',
        `${byId('/api/v1/audit/events', id)}/proof${queryString({ treeSize })}`,
      ),
    /** RFC 6962 consistency proof between two tree sizes. */
    consistencyProof: (from: number, to: number) =>
      client.request<ConsistencyProofOut>(
        'GET',
        `/api/v1/audit/proofs/consistency${queryString({ from, to })}`,
      ),
    /** The latest signed checkpoint (C2SP signed note). */
    checkpoint: () => client.request<AuditCheckpointOut>('GET', '/api/v1/audit/checkpoint'),
    /** Signed checkpoints in order of tree size, after `after`. */
    checkpoints: (page: { after?: number; limit?: number } = {}) =>
      client.request<AuditCheckpointList>('GET', `/api/v1/audit/checkpoints${queryString(page)}`),
    /**
     * The server's own check of the log against every checkpoint its signer signed (run now): 'alarm'
     * when the history in its database was rewritten, rolled back or written around; and the witnesses.
     */
    integrity: () => client.request<AuditIntegrityOut>('GET', '/api/v1/audit/integrity'),
    /** The public keys that sign checkpoints (no sign-in needed). */
    keys: () => client.request<AuditKeysOut>('GET', '/.well-known/custos/audit-keys'),

    /**
     * Starts an export of the events matching the filters and answers the streaming `Response`
     * (audit:export). Its `x-custos-export-events` header tells how many events the file holds.
     */
    export: (
      query: AuditSearchQuery & { format?: AuditExportFormat } = {},
      options: { signal?: AbortSignal } = {},
    ) => client.send('GET', `/api/v1/audit/export${queryString(query)}`, undefined, options),

    /** The URL of the live tail (Server-Sent Events) for `EventSource`, which sends the session cookie. */
    tailUrl: (query: AuditSearchQuery = {}, after?: number) =>
      client.url(`/api/v1/audit/tail${queryString({ ...query, after })}`),
    /** The live tail as a streaming `Response`, for callers with a bearer token (no `EventSource`). */
    tail: (query: AuditSearchQuery = {}, options: { after?: number; signal?: AbortSignal } = {}) =>
      client.send('GET', `/api/v1/audit/tail${queryString({ ...query, after: options.after })}`, undefined, {
        accept: 'text/event-stream',
        signal: options.signal,
      }),

    savedSearches: {
      list: () => client.request<{ savedSearches: SavedSearchOut[] }>('GET', '/api/v1/audit/saved-searches'),
      create: (body: SavedSearchBody) =>
        client.request<SavedSearchOut>('POST', '/api/v1/audit/saved-searches', body),
      remove: (id: string) =>
        client.request<{ ok: true }>('DELETE', byId('/api/v1/audit/saved-searches', id)),
    },

    settings: {
      get: () => client.request<AuditSettingsOut>('GET', '/api/v1/audit/settings'),
      /** Retention in days (null keeps events forever) and legal hold (audit:manage). */
      update: (body: AuditSettingsBody) =>
        client.request<AuditSettingsOut>('PUT', '/api/v1/audit/settings', body),
    },

    /** Crypto-shreds a data subject's personal data in the trail; proofs stay valid (privacy:erase). */
    eraseSubject: (subject: string) =>
      client.request<EraseSubjectResult>('POST', '/api/v1/audit/subjects/erase', { subject }),
  };

  return {
    ...api,
    /**
     * Checks that the server's current signed checkpoint extends each checkpoint note saved earlier
     * (signatures, origin, size, RFC 6962 consistency proof), with WebCrypto only. A rewritten or
     * rolled-back log shows in the result; it throws only when the server cannot be reached.
     */
    verify: (options: AuditVerifyOptions) => verifyAuditHistory(api, options),
  };
}

export type AuditApi = ReturnType<typeof createAuditApi>;
