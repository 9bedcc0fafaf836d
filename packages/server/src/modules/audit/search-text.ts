import ipaddr from 'ipaddr.js';
import { ipKeyRange } from './ip';

/**
 * A free-text search, read as a person typed it. Actor IPs are sealed and kept for search only as
 * `actor_ip_key`, so an address or CIDR block typed into the box must match that range, not words.
 * Only letters and digits reach the full-text syntax (`terms`); `exact` holds whole addresses and
 * e-mails that passed a strict shape, for PostgreSQL's `plainto_tsquery`, which reads no operators.
 */
export interface FullTextQuery {
  /** Each address or CIDR block typed: it matches the actor's IP range, or the text that spells it. */
  addresses: (TextPart & { range: [string, string] })[];
  /** The other words: every one must match (each as a prefix); e-mails are parts with `exact`. */
  words: TextPart[];
  /** The words as typed, addresses left out: a member's e-mail or part of a name. */
  person: { email: string } | { name: string } | null;
}

/** What one typed token asks of the full text. */
export interface TextPart {
  /** Letters and digits only: the words a full-text index holds for it. */
  terms: string[];
  /** The token whole, when its shape was checked (an address, an e-mail), else null. */
  exact: string | null;
}

const MAX_TOKENS = 8;
const EMAIL = /^[a-z0-9._%+-]{1,64}@[a-z0-9-]{1,63}(\.[a-z0-9-]{1,63})+$/;

/** Words of a free-text query, reduced to letters and digits so no query syntax gets through. */
export function fullTextTerms(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, MAX_TOKENS);
}

/** A dotted IPv4 or an IPv6 address, or a CIDR block of one ("2024" is a year, not 0.0.7.232). */
function isAddressOrBlock(token: string): boolean {
  const [address = '', prefix, ...rest] = token.split('/');
  if (rest.length > 0 || (prefix !== undefined && !/^\d{1,3}$/.test(prefix))) return false;
  return address.includes(':') ? ipaddr.IPv6.isValid(address) : ipaddr.IPv4.isValidFourPartDecimal(address);
}

/** Reads a search box's text: addresses and blocks, e-mails, the other words. */
export function parseFullText(text: string): FullTextQuery {
  const addresses: FullTextQuery['addresses'] = [];
  const words: TextPart[] = [];
  const typed: string[] = [];
  for (const token of text.trim().split(/\s+/).slice(0, MAX_TOKENS)) {
    // `[::1]` or `10.0.0.1,` as pasted from a log line still count as addresses.
    const bare = token.replace(/^[[(<"']+|[\])>"',;.]+$/g, '');
    const range = isAddressOrBlock(bare) ? ipKeyRange(bare) : null;
    const terms = fullTextTerms(bare);
    if (range) {
      addresses.push({ range, terms, exact: bare.toLowerCase() });
      continue;
    }
    typed.push(bare);
    const lower = bare.toLowerCase();
    if (terms.length > 0) words.push({ terms, exact: EMAIL.test(lower) ? lower : null });
  }
  const only = words.length === 1 ? words[0] : undefined;
  const name = typed.join(' ').toLowerCase();
  return {
    addresses,
    words,
    person: only?.exact ? { email: only.exact } : fullTextTerms(name).join('').length >= 2 ? { name } : null,
  };
}
