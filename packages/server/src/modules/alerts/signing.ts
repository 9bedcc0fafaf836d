import { createHmac } from 'node:crypto';
import { SECRET_PREFIX } from './secrets';

/**
 * Standard Webhooks signing (spec/standard-webhooks.md, "Signature scheme"): HMAC-SHA256 with the
 * base64-decoded secret over `{msg_id}.{timestamp}.{payload}`, serialised as `v1,<base64>`.
 * The body signed must be byte for byte the body sent.
 */
export function signWebhook(
  secret: string,
  messageId: string,
  timestampSeconds: number,
  body: string,
): string {
  const key = Buffer.from(
    secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret,
    'base64',
  );
  const mac = createHmac('sha256', key).update(`${messageId}.${timestampSeconds}.${body}`).digest('base64');
  return `v1,${mac}`;
}

/** The three headers of the spec plus ours, for one attempt. */
export function webhookHeaders(
  secret: string,
  messageId: string,
  body: string,
  now = Date.now(),
): Record<string, string> {
  const timestamp = Math.floor(now / 1000);
  return {
    'content-type': 'application/json',
    'user-agent': 'Custos-Webhooks/1',
    'webhook-id': messageId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signWebhook(secret, messageId, timestamp, body),
  };
}
