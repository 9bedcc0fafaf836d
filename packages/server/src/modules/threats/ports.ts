import type { SecurityEventOut, ThreatResponseOut } from '@custos/shared';
import type { Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema';
import type { DeliveryResult } from '../../platform/mail/mailer';

/**
 * What responses do outside the threats module. `effects.ts` provides them through the other
 * modules' ports (`sessionPorts`, `accessPorts`, `identity`) and the outbox, so the responder itself
 * knows no other module.
 */
export interface ResponseEffects {
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
  /**
   * Tells the user by e-mail what was seen and what to do (called after commit; never throws).
   * Answers what became of the message: `undelivered` means e-mail is not configured and the
   * message waits in the outbox.
   */
  notifyUser(organizationId: string, userId: string, event: SecurityEventOut): Promise<DeliveryResult>;
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
  | {
      organizationId: string;
      kind: 'response';
      /** delivery: a notify_user response's e-mail went out, was queued or failed (`response.delivery`). */
      change: 'applied' | 'lifted' | 'delivery';
      response: ThreatResponseOut;
    };

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
