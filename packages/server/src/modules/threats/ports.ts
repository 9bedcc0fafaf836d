import type { SecurityEventOut, ThreatResponseOut } from '@custos/shared';
import type { Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema';

/**
 * What responses do outside the threats module, provided by the wiring (app.ts) so this module
 * uses sessions and access only through these calls.
 */
export interface ResponseEffects {
  /** Revokes the user's sessions in the organization; answers how many. */
  /**
   * Revokes the user's sessions in the organization; answers how many. Unless `forgetDevices` is
   * false, the user's trusted browsers become strangers too (the attacker's may be among them).
   */
  endSessions(
    trx: Transaction<DB>,
    organizationId: string,
    userId: string,
    options?: { forgetDevices?: boolean },
  ): Promise<number>;
  /** Makes the user's live sessions in the organization verify again before anything else. */
  demandStepUp(trx: Transaction<DB>, organizationId: string, userId: string): Promise<number>;
  /** IP blocks of the organization changed: every process must see it on the next request. */
  ipBlocksChanged(trx: Transaction<DB>, organizationId: string): Promise<void>;
  /** Tells the user by e-mail what was seen and what to do (called after commit; never throws). */
  notifyUser(organizationId: string, userId: string, event: SecurityEventOut): Promise<void>;
}

/** A change worth telling people about, handed to alerts after it commits. */
export type SecurityChange =
  | {
      organizationId: string;
      kind: 'security_event';
      change: 'raised' | 'repeated' | 'updated';
      event: SecurityEventOut;
      /** Its deliveries were queued in the raising transaction (`queueRaised`): do not route again. */
      queued?: boolean;
    }
  | { organizationId: string; kind: 'response'; change: 'applied' | 'lifted'; response: ThreatResponseOut };

export interface AlertSink {
  /** Console stream at once; webhooks and e-mail by the channels' routing (raised events only). */
  notify(change: SecurityChange): void;
  /**
   * Queues a new event's webhook and e-mail deliveries inside the transaction that raises it, so
   * a crash right after the commit cannot lose them (the delivery worker sends them). Optional: a
   * sink without it routes after commit, in `notify`.
   */
  queueRaised?(trx: Transaction<DB>, organizationId: string, event: SecurityEventOut): Promise<void>;
}
