import {
  type AlertPayload,
  type AuditCheckpointPayload,
  countNouns,
  type DetectorType,
  type SecurityEventOut,
} from '@custos/shared';
import type { MailMessage } from '../../platform/mail/mailer';
import { NOTE_FILE } from './payloads';

/**
 * Alert e-mails, written from the same payload a webhook receives. They say what happened and
 * link to the console; they carry no secrets or tokens (the payload has none).
 */

const TITLES: Record<DetectorType, (who: string) => string> = {
  brute_force_account: (who) => `Brute force on ${who}`,
  brute_force_ip: (who) => `Brute force from ${who}`,
  credential_stuffing: (who) => `Credential stuffing from ${who}`,
  password_spraying: (who) => `Password spraying from ${who}`,
  impossible_travel: (who) => `Impossible travel for ${who}`,
  new_country: (who) => `Sign-in from a new country for ${who}`,
  new_device: (who) => `Sign-in from a new device for ${who}`,
  account_takeover: (who) => `Possible account takeover of ${who}`,
  privilege_escalation: (who) => `Privilege escalation by ${who}`,
  data_exfiltration: (who) => `Possible data exfiltration by ${who}`,
  off_hours: (who) => `Off-hours activity by ${who}`,
  audit_tampering: (who) => `Tampering with ${who}`,
  privacy_request_overdue: (who) => `Compliance violation: ${who} is overdue`,
};

/** Names come from users and hosts: no line breaks or control characters reach a mail header. */
function oneLine(text: string, max = 120): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function eventTitle(event: SecurityEventOut): string {
  return oneLine(TITLES[event.type](event.subject.label ?? event.subject.id), 100);
}

/** The event's count in the words every surface uses: "46 attempts", "1 sign-in", "3 exports". */
export function eventSummary(event: SecurityEventOut): string {
  const [one, many] = countNouns(event.type);
  return `${event.count} ${event.count === 1 ? one : many}`;
}

function detailLine(details: Record<string, unknown>): string | null {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(details).slice(0, 12)) {
    const shown = typeof value === 'object' ? JSON.stringify(value) : String(value);
    parts.push(`${key}=${oneLine(shown, 80)}`);
  }
  return parts.length > 0 ? parts.join(', ') : null;
}

function eventBlock(event: SecurityEventOut, consoleUrl: string): string {
  const origin = event.sourceIp ? `${event.sourceIp}${event.country ? ` (${event.country})` : ''}` : null;
  const details = detailLine(event.details);
  return [
    `${event.severity.toUpperCase()}: ${eventTitle(event)} — ${eventSummary(event)}`,
    '',
    oneLine(event.explanation, 1000),
    '',
    `Detector:   ${event.type}`,
    `Status:     ${event.status}`,
    `Subject:    ${event.subject.type} ${oneLine(event.subject.label ?? event.subject.id, 100)}`,
    ...(origin ? [`Source IP:  ${origin}`] : []),
    `Count:      ${event.count} (first ${event.firstSeenAt}, last ${event.lastSeenAt})`,
    ...(details ? [`Details:    ${details}`] : []),
    '',
    `Open it in the console: ${consoleUrl}`,
  ].join('\n');
}

function footer(channelName: string): string {
  return [
    '',
    '--',
    `You get this because this address is on the "${oneLine(channelName, 80)}" alert channel of a Custos organization.`,
    'Change the channel in the console under Security → Alerts.',
  ].join('\n');
}

/**
 * A signed checkpoint, inline between markers (the mailer sends text only): what to keep and how
 * to check the log against it later.
 */
function checkpointMail(payload: AuditCheckpointPayload, to: string, channelName: string): MailMessage {
  const { checkpoint, verifierKeys, verifyWith, consoleUrl } = payload.data;
  const events = checkpoint.treeSize.toLocaleString('en-US');
  return {
    to,
    subject: `[Custos] Audit checkpoint: ${events} events in ${oneLine(checkpoint.origin, 80)}`,
    text: [
      `Custos signed a checkpoint of your organization's audit log: ${events} events, root ${checkpoint.rootHash}.`,
      '',
      'Keep this mail, or save the signed note below as a file: the lines between the markers, exactly,',
      'ending with a newline. Later, check that the log in Custos still extends it (no event changed,',
      'removed or reordered in the database since), with an API key that has audit:export in',
      'CUSTOS_API_KEY:',
      '',
      `  ${verifyWith.replace(NOTE_FILE, 'checkpoint.txt')}`,
      '',
      `The note's signature verifies with: ${verifierKeys.join(', ')}`,
      '',
      '-----BEGIN CUSTOS SIGNED CHECKPOINT-----',
      checkpoint.note.replace(/\n$/, ''),
      '-----END CUSTOS SIGNED CHECKPOINT-----',
      '',
      `The audit log: ${consoleUrl}`,
      footer(channelName),
    ].join('\n'),
  };
}

/** The e-mail for one delivery's payload (an alert, a digest, a test or an audit checkpoint). */
export function alertMail(payload: AlertPayload, recipients: string[], channelName: string): MailMessage {
  const to = recipients.join(', ');
  if (payload.type === 'audit.checkpoint') return checkpointMail(payload, to, channelName);
  const events = payload.data.events;
  if (payload.type === 'alert.test') {
    return {
      to,
      subject: `[Custos] Test alert for "${oneLine(channelName, 80)}"`,
      text: [
        'This is a test message from Custos: alerts of this channel reach this address.',
        '',
        `Alert settings: ${payload.data.consoleUrl}`,
        footer(channelName),
      ].join('\n'),
    };
  }
  if (payload.type === 'security_event.digest') {
    return {
      to,
      subject: `[Custos] Digest: ${events.length} low-severity security event${events.length === 1 ? '' : 's'}`,
      text: [
        `${events.length} low-severity security event${events.length === 1 ? ' was' : 's were'} raised since the last digest:`,
        ...events.map(
          (event) =>
            `\n* ${eventBlock(event, `${payload.data.consoleUrl}/${event.id}`).replaceAll('\n', '\n  ')}`,
        ),
        '',
        `All security events: ${payload.data.consoleUrl}`,
        footer(channelName),
      ].join('\n'),
    };
  }
  const [event] = events;
  if (!event) return { to, subject: '[Custos] Security alert', text: payload.data.consoleUrl };
  const again = payload.type === 'security_event.repeated' ? ' (severity raised)' : '';
  return {
    to,
    subject: `[Custos] ${event.severity.toUpperCase()}: ${eventTitle(event)} — ${eventSummary(event)}${again}`,
    text: [eventBlock(event, payload.data.consoleUrl), footer(channelName)].join('\n'),
  };
}
