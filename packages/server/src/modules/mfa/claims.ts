import { CompiledQuery, type Kysely } from 'kysely';
import { nowIso } from '../../platform/clock';
import type { Dialect } from '../../platform/db/database';
import type { DB } from '../../platform/db/schema';

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
  private readonly statements = new Map<number, string>();

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
          const moved = await this.claimAll(batch);
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

  /** The statement for a batch of `size`, built once per size (it is the same text every time). */
  private statementFor(size: number): string {
    let text = this.statements.get(size);
    if (!text) {
      const p = this.dialect === 'postgres' ? (i: number) => `$${i}` : () => '?';
      const stepType = this.dialect === 'postgres' ? 'bigint' : 'integer';
      const rows = Array.from({ length: size }, (_, i) => {
        const [id, user, step] = [p(2 + i * 3), p(3 + i * 3), p(4 + i * 3)];
        return i === 0
          ? `select ${id} as id, ${user} as user_id, cast(${step} as ${stepType}) as step`
          : `select ${id}, ${user}, cast(${step} as ${stepType})`;
      }).join(' union all ');
      text =
        `update mfa_factors set last_used_step = v.step, last_used_at = ${p(1)} from (${rows}) as v ` +
        'where mfa_factors.id = v.id and mfa_factors.user_id = v.user_id and mfa_factors.confirmed_at is not null ' +
        'and (mfa_factors.last_used_step is null or mfa_factors.last_used_step < v.step) ' +
        'returning mfa_factors.id as id, mfa_factors.last_used_step as step';
      this.statements.set(size, text);
    }
    return text;
  }

  private async claimAll(batch: Claim[]): Promise<Map<string, number>> {
    const parameters: unknown[] = [nowIso()];
    for (const c of batch) parameters.push(c.factorId, c.userId, c.step);
    const result = await this.db.executeQuery<{ id: string; step: number }>(
      CompiledQuery.raw(this.statementFor(batch.length), parameters),
    );
    return new Map(result.rows.map((r) => [r.id, Number(r.step)]));
  }
}
