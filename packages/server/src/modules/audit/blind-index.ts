import { createHmac } from 'node:crypto';
import type { Keyring } from '../../platform/crypto/keyring';

/**
 * A keyed blind index of e-mail addresses for full-text search. Host apps send their own users as
 * actors (an e-mail as actor id, or in sealed fields); the e-mail must be findable without sitting
 * in the search text as plaintext. Each address becomes one HMAC token under a key derived per log
 * (organization) from the master key: a dump of the search text names no one, a plain hash of a
 * guessed address matches nothing, and one organization's tokens say nothing about another's. The
 * tokens live in the event's search projection, which erasure clears, so an erased subject's
 * address stops matching with the rest of their projection.
 */

/** Marks a token as the index's, so a word typed into search rarely shares its prefix. */
const TOKEN_PREFIX = 'zbx';
/** 128 bits of the HMAC: collisions within one organization are out of reach. */
const TOKEN_HEX = 32;
/** How many addresses one event contributes (a metadata field full of addresses stays bounded). */
const MAX_TOKENS = 20;

/** The same shape `search-text.ts` accepts as an e-mail, lowercase. */
export const EMAIL_SHAPE = /^[a-z0-9._%+-]{1,64}@[a-z0-9-]{1,63}(\.[a-z0-9-]{1,63})+$/;
const EMAILS_IN_TEXT = /[a-z0-9._%+-]{1,64}@[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63})+/gi;

/** An e-mail as the index holds it (trimmed, lowercase), or null when the text is not one. */
export function normalizeEmail(text: string): string | null {
  const email = text.trim().toLowerCase();
  return EMAIL_SHAPE.test(email) ? email : null;
}

/** The normalized e-mails inside a text (a sealed metadata value may be a sentence or JSON). */
export function emailsIn(text: string): string[] {
  const found = (text.match(EMAILS_IN_TEXT) ?? []).flatMap((e) => normalizeEmail(e) ?? []);
  return [...new Set(found)].slice(0, MAX_TOKENS);
}

/** The index key of one log: HKDF of the master key, bound to the log, never stored. */
export function blindIndexKey(keyring: Keyring, logId: string): Buffer {
  return keyring.derivedKey(`audit search blind index v1|${logId}`);
}

/**
 * The token for one normalized e-mail: letters and digits only, so FTS5's tokenizer and
 * PostgreSQL's parser both keep it as one word.
 */
export function emailToken(key: Buffer, email: string): string {
  return TOKEN_PREFIX + createHmac('sha256', key).update(email).digest('hex').slice(0, TOKEN_HEX);
}

/** Tokens for every e-mail among these values (strings, or JSON values flagged personal). */
export function emailTokens(key: Buffer, values: unknown[]): string[] {
  const emails = new Set<string>();
  for (const value of values) {
    if (value === null || value === undefined) continue;
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    for (const email of emailsIn(text)) emails.add(email);
  }
  return [...emails].slice(0, MAX_TOKENS).map((email) => emailToken(key, email));
}
