import { randomBytes } from 'node:crypto';
import { type Keyring, open, seal } from '../../platform/crypto/keyring';

/** Standard Webhooks symmetric secrets: `whsec_` + base64 of random bytes (24–64 allowed; we use 32). */
export const SECRET_PREFIX = 'whsec_';
const SECRET_BYTES = 32;

export function newWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(SECRET_BYTES).toString('base64')}`;
}

/** Enough of the secret to tell two apart in a list, far too little to help guess it. */
export function secretHint(secret: string): string {
  return secret.slice(SECRET_PREFIX.length, SECRET_PREFIX.length + 8);
}

/**
 * Webhook secrets at rest: sealed (AES-256-GCM) under a key derived from the master key, with the
 * channel id as associated data so a sealed secret cannot be moved to another channel's row.
 */
export function createChannelSecrets(keyring: Keyring) {
  const key = { id: 'alert-webhook-v1', key: keyring.derivedKey('alert webhook secrets v1') };
  return {
    seal: (channelId: string, secret: string) => seal(key, secret, `alert-channel:${channelId}`),
    open: (channelId: string, sealed: string) => open(key.key, sealed, `alert-channel:${channelId}`),
  };
}

export type ChannelSecrets = ReturnType<typeof createChannelSecrets>;
