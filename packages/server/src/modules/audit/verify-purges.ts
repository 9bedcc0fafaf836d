/**
 * Proof of purged bodies for the verifier: a null body is fine only when a retention purge the
 * log itself records covers its seq, and the retention settings the log records at that point
 * allowed a purge (a retention set, no legal hold, the purge's retention equal to it). Anything
 * else is a body someone removed: `missing`. Only the trail's own `audit.*` events count; host
 * apps cannot write them.
 */

type Json = Record<string, unknown>;

export interface PurgeFinding {
  kind: 'missing';
  seq: number;
  message: string;
}

type Range = [from: number, to: number];

export class PurgeLedger {
  /** Seqs with no body and no purge covering them yet, as merged ranges, ascending. */
  #gone: Range[] = [];
  #retentionDays: number | null = null;
  #legalHold = false;

  /** A body is null at `seq` (seqs arrive in ascending order). */
  bodyGone(seq: number): void {
    const last = this.#gone.at(-1);
    if (last && last[1] === seq - 1) last[1] = seq;
    else this.#gone.push([seq, seq]);
  }

  /** Reads the trail's own settings and purge events; a purge retention did not allow is a finding. */
  read(seq: number, body: string): PurgeFinding | null {
    // Canonical JSON keeps "action" as written; one cheap test skips every other event.
    if (!body.includes('"action":"audit.')) return null;
    if (body.includes('"action":"audit.settings_updated"')) this.#settings(body);
    else if (body.includes('"action":"audit.events_purged"')) return this.#purge(seq, body);
    return null;
  }

  /** The first seq whose body is gone with no purge to show for it. */
  unproven(): PurgeFinding | null {
    const first = this.#gone[0];
    if (!first) return null;
    const [from, to] = first;
    const which = from === to ? `event ${from} is` : `events ${from} to ${to} are`;
    return {
      kind: 'missing',
      seq: from,
      message: `the body of ${which} gone and no retention purge recorded in the log covers it`,
    };
  }

  #settings(body: string): void {
    const changes = parse(body)?.changes;
    if (typeof changes !== 'object' || changes === null) return;
    const { retentionDays, legalHold } = changes as Json;
    if (Array.isArray(retentionDays)) {
      const after = retentionDays[1];
      this.#retentionDays = typeof after === 'number' ? after : null;
    }
    if (Array.isArray(legalHold)) this.#legalHold = legalHold[1] === true;
  }

  #purge(seq: number, body: string): PurgeFinding | null {
    const event = parse(body);
    const metadata = event?.metadata as Json | null | undefined;
    const ranges = purgedRanges(metadata?.ranges, seq);
    if (event?.source !== 'system' || !ranges) return null;
    const allowed =
      this.#retentionDays !== null && !this.#legalHold && metadata?.retentionDays === this.#retentionDays;
    if (!allowed) {
      const first = ranges[0]?.[0] ?? seq;
      return {
        kind: 'missing',
        seq: first,
        message:
          `the purge recorded at seq ${seq} removed bodies although the log's retention settings did not allow it ` +
          `(${this.#legalHold ? 'a legal hold was on' : `retention was ${this.#retentionDays ?? 'not set'}`})`,
      };
    }
    for (const range of ranges) this.#cover(range);
    return null;
  }

  #cover([from, to]: Range): void {
    this.#gone = this.#gone.flatMap(([a, b]): Range[] => {
      if (b < from || a > to) return [[a, b]];
      const left: Range[] = a < from ? [[a, from - 1]] : [];
      const right: Range[] = b > to ? [[to + 1, b]] : [];
      return [...left, ...right];
    });
  }
}

function parse(body: string): Json | null {
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null ? (value as Json) : null;
  } catch {
    return null;
  }
}

/** `[[from, to], …]` of seqs before the purge's own; null when it is not that shape. */
function purgedRanges(value: unknown, purgeSeq: number): Range[] | null {
  if (!Array.isArray(value)) return null;
  const ranges: Range[] = [];
  for (const item of value) {
    if (!Array.isArray(item) || item.length !== 2) return null;
    const [from, to] = item as unknown[];
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to)) return null;
    if ((from as number) < 1 || (from as number) > (to as number) || (to as number) >= purgeSeq) return null;
    ranges.push([from as number, to as number]);
  }
  return ranges;
}
