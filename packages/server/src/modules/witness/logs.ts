/**
 * Which logs a witness accepts. A Custos server keeps one log per organization, with origins
 * `<host>/custos/audit/<organizationId>`, all signed by the server's one audit key; so a witness
 * trusts a key for every origin under a prefix rather than for a fixed list of origins, and learns
 * each organization's log the first time it is submitted.
 */
import { type NoteVerifier, parseVerifierKey } from '../../platform/crypto/signed-note';

export interface AcceptedLog {
  /** Origins that start with this (and are longer) are accepted. */
  originPrefix: string;
  verifier: NoteVerifier;
}

/** A --log-key/--origin-prefix pairing that cannot be used. */
export class LogConfigError extends Error {
  override name = 'LogConfigError';
}

/**
 * Pairs log keys with origin prefixes. One prefix applies to every key (a server's current and
 * next key during a rotation); otherwise there must be one prefix per key, paired in order.
 */
export function acceptedLogs(logKeys: readonly string[], originPrefixes: readonly string[]): AcceptedLog[] {
  if (logKeys.length === 0) throw new LogConfigError('give at least one --log-key');
  if (originPrefixes.length !== 1 && originPrefixes.length !== logKeys.length) {
    throw new LogConfigError(
      `give one --origin-prefix for all log keys, or one per --log-key (got ${logKeys.length} keys, ${originPrefixes.length} prefixes)`,
    );
  }
  return logKeys.map((key, i) => {
    const originPrefix = originPrefixes[originPrefixes.length === 1 ? 0 : i] ?? '';
    if (originPrefix.length === 0 || /[\p{Cc}]/u.test(originPrefix)) {
      throw new LogConfigError(`invalid origin prefix ${JSON.stringify(originPrefix)}`);
    }
    try {
      return { originPrefix, verifier: parseVerifierKey(key) };
    } catch (error) {
      throw new LogConfigError(`--log-key ${key}: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
}

/** The keys trusted for an origin; empty means the witness does not know the log (404). */
export function verifiersFor(logs: readonly AcceptedLog[], origin: string): NoteVerifier[] {
  return logs
    .filter((log) => origin.length > log.originPrefix.length && origin.startsWith(log.originPrefix))
    .map((log) => log.verifier);
}
