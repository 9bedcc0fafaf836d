import type { Logger } from 'pino';
import { sourceOf } from '../../platform/http/ip-source';
import type { AuditRecorder, AuditRecordInput } from '../audit';
import type { SignInTrust } from './guard-port';

/**
 * Attempts refused before their password was checked (rate limit, delay, IP block, too many
 * accounts) are counted, not stored one by one: a flood of them would otherwise write one full
 * audit event each into the tamper-evident log (10,000 refusals in 20 s were 36 MiB). Each account
 * and source gets one `auth.sign_in_throttled` event per window with the count, the first and last
 * time, the reasons and a sample of user agents. A source trying many accounts gets a handful of
 * per-account summaries, then one summary for the rest, so its write rate stays bounded whatever it
 * sends. Attempts that reach the password check stay individual events.
 *
 * Summaries live in this process until their window closes (or the server stops); a process killed
 * with -9 loses at most one window of counts, never an attempt that reached the password check.
 */

export const THROTTLE_WINDOW_MS = 5 * 60_000;
/** Per source and window: this many accounts get their own summary; the rest share one. */
export const ACCOUNTS_PER_SOURCE = 20;
/** Summaries (and sources) held at once; past it, refusals are only counted in the log line. */
const MAX_PENDING = 10_000;
/** Distinct accounts an overflow summary counts one by one. */
const OVERFLOW_ACCOUNTS_KEPT = 1_000;
const USER_AGENT_SAMPLE = 5;
const USER_AGENT_MAX_LENGTH = 300;

export interface ThrottledAttempt {
  /** The log the summary goes to: the account's organization, or null (the platform log). */
  organizationId: string | null;
  user: { id: string; name: string } | null;
  /** The address tried (sealed as personal data, as for a failed sign-in). */
  email: string | null;
  accountKey: string;
  ip: string | null;
  userAgent: string | null;
  /** How well the account knew the origin (detection leaves the owner's own device out). */
  trust: SignInTrust;
  /** rate_limited, delayed, ip_blocked, too_many_accounts. */
  reason: string;
}

interface Summary {
  window: number;
  organizationId: string | null;
  user: ThrottledAttempt['user'];
  email: string | null;
  /** null: the summary of a source's accounts past ACCOUNTS_PER_SOURCE. */
  accountKey: string | null;
  ip: string | null;
  count: number;
  firstAt: number;
  lastAt: number;
  reasons: Record<string, number>;
  userAgents: string[];
  /** Overflow summaries: how many distinct accounts they stand for. */
  accounts: Set<string> | null;
}

export interface ThrottleSummaries {
  note(attempt: ThrottledAttempt, at?: number): void;
  /** Writes the summaries of closed windows (every window with `all`); answers how many. */
  flush(options?: { all?: boolean }): Promise<number>;
  close(): Promise<void>;
}

export function createThrottleSummaries(deps: {
  audit: Pick<AuditRecorder, 'recordGrouped'>;
  log: Logger;
  windowMs?: number;
  /**
   * Hears each refusal as it happens (threat detection counts it as a failed attempt): a summary
   * is written when its window closes, but an attack must be seen now.
   */
  onRefused?: (attempt: ThrottledAttempt, at: number) => void;
}): ThrottleSummaries {
  const windowMs = deps.windowMs ?? THROTTLE_WINDOW_MS;
  const pending = new Map<string, Summary>();
  /** Accounts with their own summary, per source and window. */
  const accountsBySource = new Map<string, Set<string>>();
  let dropped = 0;
  let timer: NodeJS.Timeout | null = null;
  let flushing: Promise<number> = Promise.resolve(0);

  function schedule(): void {
    if (timer) return;
    const wait = windowMs - (Date.now() % windowMs) + 1_000;
    timer = setTimeout(() => {
      timer = null;
      void flush();
    }, wait);
    timer.unref();
  }

  /** The summary an attempt counts in: its account's, or its source's overflow summary. */
  /**
   * The summary an attempt counts in: its account's, or its source's overflow summary (null: the
   * bound on pending summaries is reached and the attempt is only counted in the log line).
   */
  function keyOf(attempt: ThrottledAttempt, window: number): { key: string; overflow: boolean } | null {
    // An IPv6 /64 is one source, so a subscriber cannot spread a flood over its addresses.
    const source = `${window}|${sourceOf(attempt.ip)}`;
    const own = accountsBySource.get(source);
    if (own?.has(attempt.accountKey)) return { key: `${source}|${attempt.accountKey}`, overflow: false };
    // Every structure is bounded before it grows: a flood from many sources costs counts, not memory.
    if (!own && accountsBySource.size >= MAX_PENDING) return null;
    const accounts = own ?? new Set<string>();
    accountsBySource.set(source, accounts);
    if (accounts.size < ACCOUNTS_PER_SOURCE) {
      accounts.add(attempt.accountKey);
      return { key: `${source}|${attempt.accountKey}`, overflow: false };
    }
    return { key: `${source}|*`, overflow: true };
  }

  function note(attempt: ThrottledAttempt, at = Date.now()): void {
    deps.onRefused?.(attempt, at);
    const window = Math.floor(at / windowMs) * windowMs;
    const found = keyOf(attempt, window);
    if (!found) {
      dropped += 1;
      return;
    }
    const { key, overflow } = found;
    let summary = pending.get(key);
    if (!summary) {
      if (pending.size >= MAX_PENDING) {
        dropped += 1;
        return;
      }
      summary = {
        window,
        // The rest of a source's accounts go to the platform log: no one tenant owns them.
        organizationId: overflow ? null : attempt.organizationId,
        user: overflow ? null : attempt.user,
        email: overflow ? null : attempt.email,
        accountKey: overflow ? null : attempt.accountKey,
        ip: attempt.ip,
        count: 0,
        firstAt: at,
        lastAt: at,
        reasons: {},
        userAgents: [],
        accounts: overflow ? new Set() : null,
      };
      pending.set(key, summary);
    }
    summary.count += 1;
    summary.lastAt = Math.max(summary.lastAt, at);
    summary.reasons[attempt.reason] = (summary.reasons[attempt.reason] ?? 0) + 1;
    const agent = attempt.userAgent?.slice(0, USER_AGENT_MAX_LENGTH);
    if (agent && summary.userAgents.length < USER_AGENT_SAMPLE && !summary.userAgents.includes(agent)) {
      summary.userAgents.push(agent);
    }
    // The accounts an overflow summary covers are counted exactly up to a bound, then as "at least".
    if (summary.accounts && summary.accounts.size < OVERFLOW_ACCOUNTS_KEPT)
      summary.accounts.add(attempt.accountKey);
    schedule();
  }

  function take(all: boolean): Summary[] {
    const open = Math.floor(Date.now() / windowMs) * windowMs;
    const due: Summary[] = [];
    for (const [key, summary] of pending) {
      if (!all && summary.window >= open) continue;
      pending.delete(key);
      due.push(summary);
    }
    for (const key of accountsBySource.keys()) {
      if (all || Number(key.slice(0, key.indexOf('|'))) < open) accountsBySource.delete(key);
    }
    if (pending.size > 0) schedule();
    return due;
  }

  async function write(due: Summary[]): Promise<number> {
    if (dropped > 0) {
      deps.log.warn({ dropped }, 'refused sign-in attempts past the summary bound were counted only here');
      dropped = 0;
    }
    // One caller per source: the summary's IP is the source's, its user agent the first seen.
    for (const summary of due) {
      const caller = {
        kind: 'anonymous' as const,
        meta: {
          ip: summary.ip,
          userAgent: summary.userAgents[0] ?? null,
          requestId: null,
          source: 'api' as const,
        },
      };
      await deps.audit.recordGrouped(caller, [summaryEvent(summary, windowMs)]).catch((err: unknown) => {
        deps.log.error({ err }, 'writing a throttled sign-in summary failed');
      });
    }
    return due.length;
  }

  function flush(options: { all?: boolean } = {}): Promise<number> {
    const due = take(options.all === true);
    flushing = flushing.then(() => write(due));
    return flushing;
  }

  return {
    note,
    flush,
    async close() {
      if (timer) clearTimeout(timer);
      timer = null;
      await flush({ all: true });
    },
  };
}

function summaryEvent(summary: Summary, windowMs: number): AuditRecordInput {
  const { user, email } = summary;
  return {
    action: 'auth.sign_in_throttled',
    outcome: 'failure',
    organizationId: summary.organizationId,
    // As for a failed sign-in, the address tried is sealed as the actor's e-mail, never a name.
    actor: {
      type: user ? 'user' : 'anonymous',
      id: user?.id ?? null,
      name: user?.name ?? null,
      ...(email ? { email } : {}),
    },
    targets: user ? [{ type: 'user', id: user.id }] : [],
    metadata: {
      count: summary.count,
      firstAt: new Date(summary.firstAt).toISOString(),
      lastAt: new Date(summary.lastAt).toISOString(),
      windowSeconds: windowMs / 1000,
      reasons: summary.reasons,
      userAgents: summary.userAgents,
      ...(summary.accounts
        ? {
            accounts: summary.accounts.size,
            ...(summary.accounts.size >= OVERFLOW_ACCOUNTS_KEPT ? { accountsAtLeast: true } : {}),
          }
        : {}),
    },
  };
}
