import { COUNT_NOUNS, type DetectorType } from '@custos/shared';
import { countryLabel } from '../access/countries';

/**
 * How a security event's count reads in words. The count is the attempts attributed to the event
 * over its whole life (see SecurityEventOut.count); what one attempt is depends on the detector
 * (COUNT_NOUNS, shared with the console).
 */
/** "1 attempt", "46 attempts". */
export function countOf(type: DetectorType, n: number): string {
  const [one, many] = COUNT_NOUNS[type];
  return `${n} ${n === 1 ? one : many}`;
}

const addresses = (n: number): string => (n === 1 ? '1 other address' : `${n} other addresses`);

/** An address with the country of that address. */
function place(ip: string, country: string | null): string {
  return country ? `${ip} in ${countryLabel(country)}` : `${ip} (country unknown)`;
}

/**
 * A detector names the latest address in a closing ", latest from <ip>"; the event names its own
 * (the first), so that tail would contradict it. Dropped, keeping the full stop.
 */
export function withoutLatestTail(sentence: string): string {
  return sentence.replace(/,\s*latest from [^,;]*?(\.?)$/, '$1');
}

/** What the event's sources add up to, as the store reads them after a write. */
export interface AttemptsSummary {
  type: DetectorType;
  /** The event's count (attempts over its whole life). */
  count: number;
  /** The event's address with its attempts; null when the event has none, or no attempt from it is on record. */
  origin: { ip: string; country: string | null; attempts: number } | null;
  /** Every address on record and their attempts, the origin included. */
  addresses: number;
  addressedAttempts: number;
}

/**
 * "In all, 46 attempts: 40 from 203.0.113.9 in Russia (RU), 6 from 2 other addresses." The whole
 * event in one sentence, from its sources, so the explanation names the same number and the same
 * address as every other surface. Empty for a single attempt with no address (nothing to add).
 */
export function describeAttempts(summary: AttemptsSummary): string {
  const { type, count, origin } = summary;
  const total = countOf(type, count);
  const unaddressed = Math.max(0, count - summary.addressedAttempts);
  if (summary.addresses === 0) return count > 1 ? `In all, ${total}.` : '';
  const otherAddresses = summary.addresses - (origin ? 1 : 0);
  const otherAttempts = summary.addressedAttempts - (origin?.attempts ?? 0);
  if (origin && otherAddresses === 0 && unaddressed === 0) {
    return `In all, ${total}, ${count === 1 ? 'from' : 'all from'} ${place(origin.ip, origin.country)}.`;
  }
  const parts: string[] = [];
  if (origin) parts.push(`${origin.attempts} from ${place(origin.ip, origin.country)}`);
  if (otherAddresses > 0) {
    parts.push(
      `${otherAttempts} from ${origin ? addresses(otherAddresses) : plainAddresses(otherAddresses)}`,
    );
  }
  if (unaddressed > 0) parts.push(`${unaddressed} with no address on record`);
  return `In all, ${total}: ${joinParts(parts)}.`;
}

const plainAddresses = (n: number): string => (n === 1 ? '1 address' : `${n} addresses`);

/** "a", "a and b", "a, b and c". */
function joinParts(parts: readonly string[]): string {
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

/**
 * The event's explanation: the detector's sentence (what it saw in its window, against which
 * threshold), then the event as a whole. The two numbers cannot be mistaken for each other: one
 * says "in 15 minutes", the other "in all".
 */
export function composeExplanation(detectorSentence: string, summary: AttemptsSummary): string {
  const seen = withoutLatestTail(detectorSentence.trim());
  const whole = describeAttempts(summary);
  return whole ? `${seen} ${whole}` : seen;
}
