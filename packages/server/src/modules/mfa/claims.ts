import type { Kysely } from 'kysely';
import type { Dialect } from '../../platform/db/database';
import type { DB } from '../../platform/db/schema';
import * as store from './store';

interface Claim {
  userId: string;
  factorId: string;
  step: number;
  resolve: (accepted: boolean) => void;
  reject: (error: unknown) => void;
}

const MAX_BATCH = 500;

/**
 * Group commit for TOTP replay guards. Claims that arrive while a statement runs go into the next
 * one together: a single conditional UPDATE … FROM a list of (factor, user, step) that moves each
 * factor's last accepted step forward only where the new step is later, and returns the rows it
 * moved. N concurrent second steps cost one statement rather than N, and of two concurrent uses
 * of one code exactly one wins, on either database (a factor appears at most once per statement).
 * A factor removed meanwhile, or another user's, matches no row and is refused.
 */
export class StepClaimer {
  private queue: Claim[] = [];
  private running = false;

  /** Raw SQL with plain result columns: no plugin has anything to map. */
  private readonly db: Kysely<DB>;

  constructor(
    db: Kysely<DB>,
    private readonly dialect: Dialect,
  ) {
    this.db = db.withoutPlugins();
  }

  claim(userId: string, factorId: string, step: number): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.queue.push({ userId, factorId, step, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.takeBatch();
        try {
          const moved = await store.claimTotpSteps(this.db, this.dialect, batch);
          for (const c of batch) c.resolve(moved.get(c.factorId) === c.step);
        } catch (error) {
          for (const c of batch) c.reject(error);
        }
      }
    } finally {
      this.running = false;
    }
  }

  /** Up to MAX_BATCH claims, one per factor; later claims of the same factor wait for the next. */
  private takeBatch(): Claim[] {
    const seen = new Set<string>();
    const batch: Claim[] = [];
    const rest: Claim[] = [];
    for (const c of this.queue) {
      if (batch.length < MAX_BATCH && !seen.has(c.factorId)) {
        seen.add(c.factorId);
        batch.push(c);
      } else rest.push(c);
    }
    this.queue = rest;
    return batch;
  }
}
