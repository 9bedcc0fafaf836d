import type { AuditReceipt } from '@custos/shared';
import type { Kysely, Transaction } from 'kysely';
import type { Keyring } from '../../platform/crypto/keyring';
import type { DB } from '../../platform/db/schema';
import { AuditLogTamperedError, appendToLog } from './append';
import type { CommittedAuditEvent } from './committed';
import { prepareDrafts } from './prepare';
import type { AuditDraft } from './seal';
import * as store from './store';

/** Written in the same transaction as the events it answers for (the receipts become its response). */
export interface IdempotencyRecord {
  organizationId: string;
  key: string;
  requestHash: string;
  expiresAt: string;
}

interface Pending {
  logId: string;
  drafts: AuditDraft[];
  origin: NonNullable<CommittedAuditEvent['origin']>;
  idempotency: IdempotencyRecord | null;
  resolve: (receipts: AuditReceipt[]) => void;
  reject: (error: unknown) => void;
}

/** Upper bound of events per group transaction (a single request may bring up to 1000). */
const MAX_GROUP_EVENTS = 2000;

/**
 * Group commit: requests that arrive while a transaction is running wait for the next one, which
 * takes all of them at once, so N concurrent single-event requests cost one commit rather than N.
 * Every submitter is answered only after the transaction holding its events has committed; if a
 * group fails, its requests are retried one by one so one bad request cannot sink the others.
 */
export class GroupCommitter {
  private queue: Pending[] = [];
  private running: Promise<void> | null = null;
  /** Committed transactions, requests and events so far (benchmarks and tests read these). */
  readonly stats = { groups: 0, requests: 0, events: 0 };

  constructor(
    private readonly db: Kysely<DB>,
    private readonly keyring: Keyring,
    private readonly onCommitted: (logIds: string[], events: CommittedAuditEvent[]) => void,
    /** Told when a log's next seq is taken by a row written around Custos: moves it aside, raises the alarm. */
    private readonly onTampered: (error: AuditLogTamperedError) => Promise<void> = async () => {},
  ) {}

  submit(
    logId: string,
    drafts: AuditDraft[],
    idempotency: IdempotencyRecord | null,
    origin: NonNullable<CommittedAuditEvent['origin']> = 'custos',
  ): Promise<AuditReceipt[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ logId, drafts, idempotency, origin, resolve, reject });
      this.running ??= this.drain();
    });
  }

  /** Resolves once everything submitted so far is committed (used at shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    // Let the requests that arrive in the same tick join the first group.
    await new Promise((resolve) => setImmediate(resolve));
    try {
      while (this.queue.length > 0) {
        // Yield to timers between groups: a caller that resubmits as soon as it is answered must
        // not keep the drain in microtasks forever and starve the checkpoint job.
        if (this.stats.groups > 0) await new Promise((resolve) => setImmediate(resolve));
        const group = this.takeGroup();
        try {
          await this.commit(group);
        } catch {
          for (const one of group) {
            await this.commit([one]).catch(async (error: unknown) => {
              if (!(error instanceof AuditLogTamperedError)) return one.reject(error);
              // The row in the way is moved aside (and the alarm raised); then the log goes on.
              await this.onTampered(error);
              await this.commit([one]).catch((again: unknown) => one.reject(again));
            });
          }
        }
      }
    } finally {
      this.running = null;
    }
  }

  private takeGroup(): Pending[] {
    const group: Pending[] = [];
    let events = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0] as Pending;
      if (group.length > 0 && events + next.drafts.length > MAX_GROUP_EVENTS) break;
      group.push(next);
      events += next.drafts.length;
      this.queue.shift();
    }
    return group;
  }

  private async commit(group: Pending[]): Promise<void> {
    const promotions: Array<() => void> = [];
    const results = await this.db.transaction().execute(async (trx) => {
      const receipts = new Map<Pending, AuditReceipt[]>();
      for (const [logId, members] of byLog(group)) {
        const appended = await this.appendMembers(trx, logId, members, promotions);
        for (const [member, r] of appended) receipts.set(member, r);
      }
      const idempotency = group.flatMap((p) =>
        p.idempotency ? [{ ...p.idempotency, response: JSON.stringify(receipts.get(p) ?? []) }] : [],
      );
      if (idempotency.length > 0) await store.insertIdempotencyKeys(trx, idempotency);
      return receipts;
    });
    for (const promote of promotions) promote();
    this.stats.groups += 1;
    this.stats.requests += group.length;
    this.stats.events += group.reduce((n, p) => n + p.drafts.length, 0);
    const committed: CommittedAuditEvent[] = [];
    for (const [member, receipts] of results) {
      member.drafts.forEach((draft, i) => {
        committed.push({ ...draft, logId: member.logId, seq: receipts[i]?.seq ?? 0, origin: member.origin });
      });
    }
    this.onCommitted([...new Set(group.map((p) => p.logId))], committed);
    for (const [member, receipts] of results) member.resolve(receipts);
  }

  private async appendMembers(
    trx: Transaction<DB>,
    logId: string,
    members: Pending[],
    promotions: Array<() => void>,
  ): Promise<Map<Pending, AuditReceipt[]>> {
    const { events, promote } = await prepareDrafts(
      this.keyring,
      trx,
      logId,
      members.flatMap((m) => m.drafts),
    );
    promotions.push(promote);
    const receipts = await appendToLog(trx, logId, events);
    const result = new Map<Pending, AuditReceipt[]>();
    let at = 0;
    for (const member of members) {
      result.set(member, receipts.slice(at, at + member.drafts.length));
      at += member.drafts.length;
    }
    return result;
  }
}

/** Members by log, logs in a fixed order so two processes lock log heads in the same order. */
function byLog(group: Pending[]): Map<string, Pending[]> {
  const map = new Map<string, Pending[]>();
  for (const p of [...group].sort((a, b) => (a.logId < b.logId ? -1 : a.logId > b.logId ? 1 : 0))) {
    const members = map.get(p.logId);
    if (members) members.push(p);
    else map.set(p.logId, [p]);
  }
  return map;
}
