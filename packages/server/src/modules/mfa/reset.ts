import type { Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema';
import { identity } from '../identity';
import * as store from './store';

/** Removes every factor and recovery code of a user (their account was taken back by its owner). */
export async function resetFactors(trx: Transaction<DB>, userId: string): Promise<void> {
  await store.deleteAllFactors(trx, userId);
  await store.deleteRecoveryCodes(trx, userId);
  await identity.setMfaEnabled(trx, userId, false);
}
