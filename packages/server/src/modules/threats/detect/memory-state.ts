import type { DetectionEvidence } from '../detection';
import { EVIDENCE_KEPT, MAX_WINDOW_ENTRIES } from './limits';
import type { DetectionState, WindowOp } from './state';
import { TimeIndex } from './time-index';

type Slot =
  | { kind: 'times'; expiresAt: number; index: TimeIndex }
  | { kind: 'members'; expiresAt: number; index: TimeIndex; latest: Map<string, number> }
  | { kind: 'evidence'; expiresAt: number; ring: Array<{ at: number; item: DetectionEvidence }> }
  | { kind: 'json'; expiresAt: number; text: string }
  | { kind: 'counts'; expiresAt: number; counts: Map<string, number> }
  | { kind: 'once'; expiresAt: number; until: number };

type SlotOf<K extends Slot['kind']> = Extract<Slot, { kind: K }>;

export interface MemoryStateOptions {
  /** Clock for expiry only (answers use signal time); tests pass their own. */
  now?: () => number;
  /** Above this many keys the oldest are evicted, expired or not. */
  maxKeys?: number;
}

/**
 * Detection state of a single process. Memory stays bounded: windows are trimmed on every write,
 * expired keys are swept once per `size` operations (amortized O(1)), and past `maxKeys` the oldest
 * keys go first.
 */
export class MemoryDetectionState implements DetectionState {
  private readonly slots = new Map<string, Slot>();
  private readonly now: () => number;
  private readonly maxKeys: number;
  private opsSinceSweep = 0;

  constructor(options: MemoryStateOptions = {}) {
    this.now = options.now ?? Date.now;
    this.maxKeys = options.maxKeys ?? 200_000;
  }

  /** Keys held, expired ones included until the next sweep (for tests and metrics). */
  get size(): number {
    return this.slots.size;
  }

  async hit(op: WindowOp): Promise<number[]> {
    const slot = this.slot(op.key, 'times', op.keepMs, () => ({ index: new TimeIndex() }));
    slot.index.insert(op.at, op.member);
    slot.index.trim(op.at - op.keepMs, MAX_WINDOW_ENTRIES);
    this.note(op);
    return op.windowsMs.map((w) => slot.index.countAbove(op.at - w));
  }

  async distinct(op: WindowOp): Promise<number[]> {
    const slot = this.slot(op.key, 'members', op.keepMs, () => ({
      index: new TimeIndex(),
      latest: new Map<string, number>(),
    }));
    const previous = slot.latest.get(op.member);
    // Like ZADD GT: a member keeps its latest time.
    if (previous === undefined || previous < op.at) {
      if (previous !== undefined) slot.index.remove(previous, op.member);
      slot.index.insert(op.at, op.member);
      slot.latest.set(op.member, op.at);
    }
    slot.index.trim(op.at - op.keepMs, MAX_WINDOW_ENTRIES, (member) => slot.latest.delete(member));
    this.note(op);
    return op.windowsMs.map((w) => slot.index.countAbove(op.at - w));
  }

  async evidence(key: string, sinceAt: number): Promise<DetectionEvidence[]> {
    const slot = this.live(key, 'evidence');
    if (!slot) return [];
    const out: DetectionEvidence[] = [];
    for (let i = slot.ring.length - 1; i >= 0; i--) {
      const entry = slot.ring[i];
      if (entry && entry.at > sinceAt) out.push(entry.item);
    }
    return out;
  }

  async getJson<T>(key: string): Promise<T | null> {
    const slot = this.live(key, 'json');
    return slot ? (JSON.parse(slot.text) as T) : null;
  }

  async setJson(key: string, value: unknown, ttlMs: number): Promise<void> {
    // Kept as text so a caller mutating its object later cannot change what is stored (as in Redis).
    this.put(key, { kind: 'json', expiresAt: this.now() + ttlMs, text: JSON.stringify(value) });
  }

  async swapJson<T>(key: string, value: unknown, ttlMs: number): Promise<T | null> {
    const previous = await this.getJson<T>(key);
    await this.setJson(key, value, ttlMs);
    return previous;
  }

  async bump(key: string, field: string, by: number, ttlMs: number): Promise<ReadonlyMap<string, number>> {
    const slot = this.slot(key, 'counts', ttlMs, () => ({ counts: new Map<string, number>() }));
    slot.counts.set(field, (slot.counts.get(field) ?? 0) + by);
    return slot.counts;
  }

  async forget(key: string, fields: readonly string[]): Promise<void> {
    const slot = this.live(key, 'counts');
    if (slot) for (const field of fields) slot.counts.delete(field);
  }

  async once(key: string, at: number, cooldownMs: number): Promise<boolean> {
    const slot = this.live(key, 'once');
    if (slot && slot.until > at) return false;
    this.put(key, { kind: 'once', expiresAt: this.now() + cooldownMs, until: at + cooldownMs });
    return true;
  }

  async close(): Promise<void> {
    this.slots.clear();
  }

  private note(op: WindowOp): void {
    if (!op.note) return;
    const slot = this.slot(op.note.key, 'evidence', op.keepMs, () => ({
      ring: [] as Array<{ at: number; item: DetectionEvidence }>,
    }));
    const ring = slot.ring;
    let i = ring.length;
    while (i > 0 && (ring[i - 1]?.at ?? 0) > op.at) i--;
    ring.splice(i, 0, { at: op.at, item: op.note.item });
    if (ring.length > EVIDENCE_KEPT) ring.shift();
  }

  /** The live slot of `key` with kind `kind`, or null (a key of another kind counts as absent). */
  private live<K extends Slot['kind']>(key: string, kind: K, now = this.now()): SlotOf<K> | null {
    const slot = this.slots.get(key);
    if (!slot || slot.kind !== kind || slot.expiresAt <= now) return null;
    return slot as SlotOf<K>;
  }

  /** The live slot of `key`, created when absent, with its expiry pushed to now + ttl. */
  private slot<K extends Slot['kind']>(
    key: string,
    kind: K,
    ttlMs: number,
    create: () => Omit<SlotOf<K>, 'kind' | 'expiresAt'>,
  ): SlotOf<K> {
    const now = this.now();
    const expiresAt = now + ttlMs;
    const existing = this.live(key, kind, now);
    if (existing) {
      existing.expiresAt = expiresAt;
      return existing;
    }
    const created = { ...create(), kind, expiresAt } as SlotOf<K>;
    this.put(key, created);
    return created;
  }

  private put(key: string, slot: Slot): void {
    this.slots.set(key, slot);
    this.opsSinceSweep++;
    if (this.opsSinceSweep >= this.slots.size || this.slots.size > this.maxKeys) this.sweep();
  }

  private sweep(): void {
    this.opsSinceSweep = 0;
    const now = this.now();
    for (const [key, slot] of this.slots) if (slot.expiresAt <= now) this.slots.delete(key);
    if (this.slots.size <= this.maxKeys) return;
    // Still too many live keys (a flood of new IPs): drop the oldest-created tenth.
    let excess = this.slots.size - Math.floor(this.maxKeys * 0.9);
    for (const key of this.slots.keys()) {
      if (excess-- <= 0) break;
      this.slots.delete(key);
    }
  }
}
