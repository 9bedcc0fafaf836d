import type { OutboxMessage } from '@custos/shared';
import type { Deps } from '../../deps';
import { type Caller, requireSuperAdmin } from '../../platform/http/caller';
import type { DeliveryResult, MailMessage } from '../../platform/mail/mailer';
import * as store from './store';

/**
 * Sends mail and keeps a record of it. A message that could not be delivered keeps its text (it
 * may hold a one-time link the operator must pass on); a delivered one does not, so its link
 * lives only in the recipient's mailbox.
 */
export function createOutboxService(deps: Deps) {
  const { db, mailer, log } = deps;
  return {
    async deliver(organizationId: string | null, message: MailMessage): Promise<DeliveryResult> {
      const result = await mailer.send(message);
      if (result.status === 'failed')
        log.warn({ to: message.to, error: result.error }, 'mail delivery failed');
      await store.insertMessage(db, {
        organizationId,
        recipient: message.to,
        subject: message.subject,
        bodyText: result.status === 'sent' ? null : message.text,
        status: result.status,
        error: result.status === 'failed' ? result.error : null,
      });
      return result;
    },

    async list(caller: Caller): Promise<OutboxMessage[]> {
      requireSuperAdmin(caller);
      return store.listMessages(db, 200);
    },
  };
}

export type OutboxService = ReturnType<typeof createOutboxService>;
