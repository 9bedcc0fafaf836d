import type {
  AlertChannelCreated,
  AlertChannelOut,
  AlertDeliveryDetail,
  AlertDeliveryList,
  AlertDeliveryOut,
  CreateAlertChannelBody,
  CreateResponseBody,
  ListDeliveriesQuery,
  ListResponsesQuery,
  ListSecurityEventsQuery,
  SecurityEventDetail,
  SecurityEventList,
  SecurityEventOut,
  SecurityOverview,
  ThreatResponseOut,
  ThreatSettingsOut,
  UpdateAlertChannelBody,
  UpdateSecurityEventBody,
  UpdateThreatSettingsBody,
} from '@custos/shared';
import type { CustosClient } from './client';

/**
 * Threat detection in `CustosClient`: security events and their triage, automatic responses,
 * detector settings, the security overview, and alert channels with their delivery log.
 * Routes: docs/threat-detection.md.
 */

const at = (path: string, id: string) => `${path}/${encodeURIComponent(id)}`;

/** A query string where arrays repeat their key (`?status=open&status=acknowledged`). */
export function listQuery(params: object): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item === undefined || item === null || item === '') continue;
      search.append(key, String(item));
    }
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

export function createThreatsApi(client: CustosClient) {
  return {
    /** Posture at a glance: threat level, score with advice, events, sign-in trends, sessions. */
    overview: () => client.request<SecurityOverview>('GET', '/api/v1/security/overview'),
    events: {
      list: (query: ListSecurityEventsQuery = {}) =>
        client.request<SecurityEventList>('GET', `/api/v1/security/events${listQuery(query)}`),
      get: (id: string) => client.request<SecurityEventDetail>('GET', at('/api/v1/security/events', id)),
      /** Triage: status, assignee and/or a note. */
      update: (id: string, body: UpdateSecurityEventBody) =>
        client.request<SecurityEventOut>('PATCH', at('/api/v1/security/events', id), body),
    },
    responses: {
      list: (query: ListResponsesQuery = {}) =>
        client.request<{ responses: ThreatResponseOut[] }>(
          'GET',
          `/api/v1/security/responses${listQuery(query)}`,
        ),
      /** Blocks an IP or locks a member by hand (step-up). */
      create: (body: CreateResponseBody) =>
        client.request<ThreatResponseOut>('POST', '/api/v1/security/responses', body),
      lift: (id: string) =>
        client.request<ThreatResponseOut>('POST', `${at('/api/v1/security/responses', id)}/lift`),
    },
    settings: () => client.request<ThreatSettingsOut>('GET', '/api/v1/security/settings'),
    /** Detector thresholds and response rules (step-up). */
    updateSettings: (body: UpdateThreatSettingsBody) =>
      client.request<ThreatSettingsOut>('PUT', '/api/v1/security/settings', body),
    /** The live stream (Server-Sent Events) for `EventSource`, which sends the session cookie. */
    streamUrl: () => client.url('/api/v1/security/stream'),
    /** The live stream as a streaming `Response`, for callers with a bearer token. */
    stream: (options: { signal?: AbortSignal } = {}) =>
      client.send('GET', '/api/v1/security/stream', undefined, {
        accept: 'text/event-stream',
        ...(options.signal ? { signal: options.signal } : {}),
      }),
  };
}

export function createAlertsApi(client: CustosClient) {
  return {
    channels: {
      list: () => client.request<{ channels: AlertChannelOut[] }>('GET', '/api/v1/alerts/channels'),
      /** A webhook channel's `secret` (whsec_…) is shown in this answer only. */
      create: (body: CreateAlertChannelBody) =>
        client.request<AlertChannelCreated>('POST', '/api/v1/alerts/channels', body),
      update: (id: string, body: UpdateAlertChannelBody) =>
        client.request<AlertChannelOut>('PATCH', at('/api/v1/alerts/channels', id), body),
      remove: (id: string) => client.request<{ ok: true }>('DELETE', at('/api/v1/alerts/channels', id)),
      rotateSecret: (id: string) =>
        client.request<AlertChannelCreated>('POST', `${at('/api/v1/alerts/channels', id)}/rotate-secret`),
      /** Sends a test message now and answers its delivery. */
      test: (id: string) =>
        client.request<AlertDeliveryOut>('POST', `${at('/api/v1/alerts/channels', id)}/test`),
    },
    deliveries: {
      list: (query: ListDeliveriesQuery = {}) =>
        client.request<AlertDeliveryList>('GET', `/api/v1/alerts/deliveries${listQuery(query)}`),
      get: (id: string) => client.request<AlertDeliveryDetail>('GET', at('/api/v1/alerts/deliveries', id)),
      /** Sends the same message (same webhook-id) again now. */
      replay: (id: string) =>
        client.request<AlertDeliveryOut>('POST', `${at('/api/v1/alerts/deliveries', id)}/replay`),
    },
  };
}
