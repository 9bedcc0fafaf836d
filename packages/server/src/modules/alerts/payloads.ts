import { randomBytes } from 'node:crypto';
import type {
  AlertPayload,
  AuditCheckpointPayload,
  SecurityEventOut,
  SecurityEventPayload,
} from '@custos/shared';
import { nowIso } from '../../platform/clock';

export type PayloadType = SecurityEventPayload['type'];

/** A signed checkpoint as the audit module tells of it. */
export interface SignedCheckpoint {
  origin: string;
  treeSize: number;
  rootHash: string;
  note: string;
}

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

/** In `verifyWith`: where the receiver's copy of the note goes. */
export const NOTE_FILE = '<file with data.checkpoint.note>';

/** The `audit.checkpoint` body: the note to keep, the keys it verifies with, and how to check. */
export function checkpointBody(
  organizationId: string,
  checkpoint: SignedCheckpoint,
  verifierKeys: string[],
  publicUrl: string,
): string {
  const { origin, treeSize, rootHash, note } = checkpoint;
  const payload: AuditCheckpointPayload = {
    type: 'audit.checkpoint',
    timestamp: nowIso(),
    data: {
      organizationId,
      checkpoint: { origin, treeSize, rootHash, note },
      verifierKeys,
      verifyWith: `custos audit verify --url ${publicUrl} --checkpoint ${NOTE_FILE}`,
      consoleUrl: auditConsoleUrl(publicUrl),
    },
  };
  return JSON.stringify(payload);
}

/** A stored body, as it was written by this module (so not validated again). */
export const parsePayload = (body: string) => JSON.parse(body) as AlertPayload;

export const eventConsoleUrl = (publicUrl: string, eventId: string) =>
  `${publicUrl}/security/events/${eventId}`;
export const eventsConsoleUrl = (publicUrl: string) => `${publicUrl}/security/events`;
export const alertsConsoleUrl = (publicUrl: string) => `${publicUrl}/security/alerts`;
export const auditConsoleUrl = (publicUrl: string) => `${publicUrl}/audit`;
