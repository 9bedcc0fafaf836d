import { randomBytes } from 'node:crypto';
import type { AlertPayload, SecurityEventOut } from '@custos/shared';
import { nowIso } from '../../platform/clock';

export type PayloadType =
  | 'security_event.raised'
  | 'security_event.repeated'
  | 'security_event.digest'
  | 'alert.test';

/**
 * The Standard Webhooks `webhook-id`: made here, never by a user, and without a "." (the signed
 * content is `{id}.{timestamp}.{body}`). The same id goes out on every retry and replay.
 */
export function newMessageId(): string {
  return `msg_${randomBytes(18).toString('base64url')}`;
}

/** The minified JSON body that is signed and sent, byte for byte. */
export function payloadBody(
  type: PayloadType,
  organizationId: string,
  events: SecurityEventOut[],
  consoleUrl: string,
): string {
  const payload: AlertPayload = { type, timestamp: nowIso(), data: { organizationId, events, consoleUrl } };
  return JSON.stringify(payload);
}

export const eventConsoleUrl = (publicUrl: string, eventId: string) =>
  `${publicUrl}/security/events/${eventId}`;
export const eventsConsoleUrl = (publicUrl: string) => `${publicUrl}/security/events`;
export const alertsConsoleUrl = (publicUrl: string) => `${publicUrl}/security/alerts`;
