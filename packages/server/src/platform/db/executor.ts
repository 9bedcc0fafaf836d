import type { Kysely, Transaction } from 'kysely';
import type { DB } from './schema';

/** What a store runs its queries on: the database, or the caller's transaction. */
export type Executor = Kysely<DB> | Transaction<DB>;
