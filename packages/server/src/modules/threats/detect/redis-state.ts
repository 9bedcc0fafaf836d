import type { ChainableCommander, Redis } from 'ioredis';
import { openRedis } from '../../../platform/redis';
import type { DetectionEvidence } from '../detection';
import { EVIDENCE_KEPT, MAX_WINDOW_ENTRIES } from './limits';
import { evidenceFromJson } from './noted-evidence';
import type { DetectionState, WindowOp } from './state';

/**
 * `once` compares the held-until time with the signal's time (not Redis' clock), so it needs a
 * read and a conditional write in one step: a script, still one round trip.
 */
const ONCE_SCRIPT = `
local held = tonumber(redis.call('GET', KEYS[1]) or '-1')
if held > tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
`;

interface OnceCommand {
  threatOnce(key: string, at: number, until: number, ttlMs: number): Promise<number>;
}

export interface RedisStateOptions {
  /** Key prefix; tests use their own so runs never collide. */
  keyPrefix?: string;
}

type ExecResult = Array<[Error | null, unknown]> | null;

/** Detection state shared by every server process: one MULTI (or script) round trip per operation. */
export class RedisDetectionState implements DetectionState {
  private readonly redis: Redis & OnceCommand;

  constructor(url: string, options: RedisStateOptions = {}) {
    // Failures surface as rejected operations (the engine's caller logs and skips the signal).
    const redis = openRedis(url, { keyPrefix: options.keyPrefix ?? 'custos:threat:' });
    redis.defineCommand('threatOnce', { numberOfKeys: 1, lua: ONCE_SCRIPT });
    this.redis = redis as Redis & OnceCommand;
  }

  async hit(op: WindowOp): Promise<number[]> {
    const multi = this.redis.multi().zadd(op.key, op.at, op.member);
    return this.windowCounts(multi, op);
  }

  async distinct(op: WindowOp): Promise<number[]> {
    const multi = this.redis.multi().zadd(op.key, 'GT', op.at, op.member);
    return this.windowCounts(multi, op);
  }

  /** Trims, counts each window and keeps the evidence, in the same transaction as the write. */
  private async windowCounts(multi: ChainableCommander, op: WindowOp): Promise<number[]> {
    multi
      .zremrangebyscore(op.key, '-inf', op.at - op.keepMs)
      .zremrangebyrank(op.key, 0, -(MAX_WINDOW_ENTRIES + 1));
    for (const w of op.windowsMs) multi.zcount(op.key, `(${op.at - w}`, '+inf');
    multi.pexpire(op.key, op.keepMs);
    if (op.note) {
      multi
        .zadd(op.note.key, op.at, JSON.stringify(op.note.item))
        .zremrangebyrank(op.note.key, 0, -(EVIDENCE_KEPT + 1))
        .pexpire(op.note.key, op.keepMs);
    }
    const results = replies(await multi.exec());
    return op.windowsMs.map((_, i) => Number(results[3 + i]));
  }

  async evidence(key: string, sinceAt: number): Promise<DetectionEvidence[]> {
    const items = await this.redis.zrevrangebyscore(key, '+inf', `(${sinceAt}`, 'LIMIT', 0, EVIDENCE_KEPT);
    return items.flatMap((text) => evidenceFromJson(text) ?? []);
  }

  async getJson<T>(key: string): Promise<T | null> {
    const text = await this.redis.get(key);
    return text === null ? null : (JSON.parse(text) as T);
  }

  async setJson(key: string, value: unknown, ttlMs: number): Promise<void> {
    await this.redis.set(key, JSON.stringify(value), 'PX', ttlMs);
  }

  async swapJson<T>(key: string, value: unknown, ttlMs: number): Promise<T | null> {
    const results = replies(
      await this.redis.multi().get(key).set(key, JSON.stringify(value), 'PX', ttlMs).exec(),
    );
    const previous = results[0];
    return typeof previous === 'string' ? (JSON.parse(previous) as T) : null;
  }

  async bump(key: string, field: string, by: number, ttlMs: number): Promise<ReadonlyMap<string, number>> {
    const results = replies(
      await this.redis.multi().hincrbyfloat(key, field, by).hgetall(key).pexpire(key, ttlMs).exec(),
    );
    const counts = new Map<string, number>();
    const all = results[1];
    if (all && typeof all === 'object') {
      for (const [name, value] of Object.entries(all)) counts.set(name, Number(value));
    }
    return counts;
  }

  async forget(key: string, fields: readonly string[]): Promise<void> {
    if (fields.length > 0) await this.redis.hdel(key, ...fields);
  }

  async once(key: string, at: number, cooldownMs: number): Promise<boolean> {
    return (await this.redis.threatOnce(key, at, at + cooldownMs, cooldownMs)) === 1;
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/** The replies of a MULTI, or a rejection when the transaction or any command failed. */
function replies(result: ExecResult): unknown[] {
  if (!result) throw new Error('detection state: Redis transaction aborted');
  return result.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}
