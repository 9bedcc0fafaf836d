import type { Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema';
import { revokePendingBy } from './store';

/** Revokes every pending invitation one member sent in an organization; returns their ids. */
export function revokeInvitationsBy(
  trx: Transaction<DB>,
  organizationId: string,
  userId: string,
): Promise<string[]> {
  return revokePendingBy(trx, organizationId, userId);
}
