import type { DetectionEvidence } from '../detection';
import { MemoryDetectionState } from './memory-state';

export { EVIDENCE_KEPT, MAX_WINDOW_ENTRIES } from './limits';

import { RedisDetectionState } from './redis-state';

/**
 * What detectors remember between signals: sliding windows, distinct members, small JSON values,
 * counter maps and cooldowns. Shared by every server process when Redis is configured.
 *
 * Every time a detector passes is signal time (`signal.at`), never the wall clock, so replaying a
 * stream gives the same answers. TTLs only bound storage (entries outlive the windows that use them);
 * no answer depends on a key having expired. A failed store rejects the promise: the caller logs and
 * skips the signal.
 */
export interface DetectionState {
  /** Records one occurrence and answers how many the key holds in each of `windowsMs`. */
  hit(op: WindowOp): Promise<number[]>;
  /** Records `member` as seen at `at` and answers how many distinct members each window holds. */
  distinct(op: WindowOp): Promise<number[]>;
  /** The evidence noted under `key` after `sinceAt`, newest first (at most EVIDENCE_KEPT). */
  evidence(key: string, sinceAt: number): Promise<DetectionEvidence[]>;
  /** A JSON value written by setJson/swapJson (detectors only read back what they wrote). */
  getJson<T>(key: string): Promise<T | null>;
  setJson(key: string, value: unknown, ttlMs: number): Promise<void>;
  /** Writes `value` and answers the value it replaced, atomically. */
  swapJson<T>(key: string, value: unknown, ttlMs: number): Promise<T | null>;
  /** Adds `by` to `field` of the counter map under `key` and answers the whole map. */
  bump(key: string, field: string, by: number, ttlMs: number): Promise<ReadonlyMap<string, number>>;
  /** Drops fields of a counter map (old days, …). */
  forget(key: string, fields: readonly string[]): Promise<void>;
  /** True when nothing held `key` at `at`; then holds it until `at + cooldownMs`. */
  once(key: string, at: number, cooldownMs: number): Promise<boolean>;
  close(): Promise<void>;
}

export interface WindowOp {
  key: string;
  /** hit: the occurrence (audit event id; the same id counts once in Redis). distinct: the member. */
  member: string;
  at: number;
  /** How long entries are kept; at least the longest window asked for. */
  keepMs: number;
  /** Windows to count over, each ending at `at` (an entry counts when its time is > at - window). */
  windowsMs: readonly number[];
  /** Evidence kept beside the window, under its own key (the newest EVIDENCE_KEPT). */
  note?: { key: string; item: DetectionEvidence };
}

export function createDetectionState(redisUrl: string | null): DetectionState {
  return redisUrl ? new RedisDetectionState(redisUrl) : new MemoryDetectionState();
}

export { MemoryDetectionState, RedisDetectionState };
