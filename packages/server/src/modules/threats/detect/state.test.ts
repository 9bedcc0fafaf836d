import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import type { DetectionEvidence } from '../detection';
import { MINUTE } from './common';
import { EVIDENCE_KEPT, MAX_WINDOW_ENTRIES } from './limits';
import { MemoryDetectionState } from './memory-state';
import { RedisDetectionState } from './redis-state';
import { createDetectionState, type DetectionState } from './state';

const redisUrl = process.env.CUSTOS_TEST_REDIS_URL;
const prefix = `custos:threat:test:${randomUUID()}:`;

const states: Array<[string, () => DetectionState]> = [['memory', () => new MemoryDetectionState()]];
if (redisUrl) states.push(['redis', () => new RedisDetectionState(redisUrl, { keyPrefix: prefix })]);

afterAll(async () => {
  if (!redisUrl) return;
  const redis = new Redis(redisUrl);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

const T = 1_700_000_000_000;
const item = (n: number): DetectionEvidence => ({
  auditEventId: `evt_${n}`,
  seq: n,
  action: 'user.sign_in_failed',
  occurredAt: new Date(T + n).toISOString(),
});

describe.each(states)('detection state (%s)', (_name, make) => {
  it('hit: counts a sliding window by signal time and trims what left it', async () => {
    const state = make();
    const key = `hits:${randomUUID()}`;
    const op = (n: number, at: number) => ({
      key,
      member: `evt_${n}`,
      at,
      keepMs: 10 * MINUTE,
      windowsMs: [MINUTE, 10 * MINUTE],
    });
    expect(await state.hit(op(1, T))).toEqual([1, 1]);
    expect(await state.hit(op(2, T + 30_000))).toEqual([2, 2]);
    expect(await state.hit(op(3, T + 2 * MINUTE))).toEqual([1, 3]);
    expect(await state.hit(op(4, T + 11 * MINUTE))).toEqual([1, 2]);
    // The entry at T + 2 min is now exactly one window old: out of it.
    expect(await state.hit(op(6, T + 12 * MINUTE))).toEqual([1, 2]);
    expect(await state.hit(op(5, T + 30 * MINUTE))).toEqual([1, 1]);
    await state.close();
  });

  it('hit: a signal arriving late lands in its place and sees the newer entries too', async () => {
    const state = make();
    const key = `late:${randomUUID()}`;
    const op = (n: number, at: number) => ({
      key,
      member: `evt_${n}`,
      at,
      keepMs: 10 * MINUTE,
      windowsMs: [MINUTE],
    });
    await state.hit(op(1, T + 5 * MINUTE));
    await state.hit(op(2, T + 5 * MINUTE + 10_000));
    expect(await state.hit(op(3, T))).toEqual([3]);
    expect(await state.hit(op(4, T + 5 * MINUTE + 20_000))).toEqual([3]);
    await state.close();
  });

  it('distinct: counts members seen in each window, a member counted once at its latest time', async () => {
    const state = make();
    const key = `distinct:${randomUUID()}`;
    const op = (member: string, at: number) => ({
      key,
      member,
      at,
      keepMs: 60 * MINUTE,
      windowsMs: [10 * MINUTE],
    });
    expect(await state.distinct(op('a', T))).toEqual([1]);
    expect(await state.distinct(op('b', T + MINUTE))).toEqual([2]);
    expect(await state.distinct(op('a', T + 2 * MINUTE))).toEqual([2]);
    expect(await state.distinct(op('c', T + 11 * MINUTE + 30_000))).toEqual([2]);
    // 'a' seen late again with an older time keeps its latest time; b is in this late window.
    expect(await state.distinct(op('a', T))).toEqual([3]);
    expect(await state.distinct(op('d', T + 90 * MINUTE))).toEqual([1]);
    await state.close();
  });

  it('evidence: newest first, only after the given time, at most EVIDENCE_KEPT', async () => {
    const state = make();
    const key = `ev:${randomUUID()}`;
    const evidenceKey = `${key}:ev`;
    for (let n = 1; n <= 30; n++) {
      await state.hit({
        key,
        member: `evt_${n}`,
        at: T + n * 1000,
        keepMs: 10 * MINUTE,
        windowsMs: [],
        note: { key: evidenceKey, item: item(n) },
      });
    }
    const all = await state.evidence(evidenceKey, 0);
    expect(all).toHaveLength(EVIDENCE_KEPT);
    expect(all.map((e) => e.seq)).toEqual(Array.from({ length: EVIDENCE_KEPT }, (_, i) => 30 - i));
    expect((await state.evidence(evidenceKey, T + 27_000)).map((e) => e.seq)).toEqual([30, 29, 28]);
    expect(await state.evidence(`missing:${randomUUID()}`, 0)).toEqual([]);
    await state.close();
  });

  it('json: get, set, swap answer the previous value', async () => {
    const state = make();
    const key = `json:${randomUUID()}`;
    expect(await state.getJson(key)).toBeNull();
    expect(await state.swapJson(key, { n: 1 }, MINUTE)).toBeNull();
    expect(await state.swapJson(key, { n: 2 }, MINUTE)).toEqual({ n: 1 });
    await state.setJson(key, { n: 3, list: ['x'] }, MINUTE);
    expect(await state.getJson(key)).toEqual({ n: 3, list: ['x'] });
    await state.close();
  });

  it('bump: adds to a counter map and answers all of it; forget drops fields', async () => {
    const state = make();
    const key = `counts:${randomUUID()}`;
    await state.bump(key, '9', 1, MINUTE);
    await state.bump(key, '9', 2.5, MINUTE);
    const counts = await state.bump(key, '10', 1, MINUTE);
    expect(Object.fromEntries(counts)).toEqual({ '9': 3.5, '10': 1 });
    await state.forget(key, ['9']);
    expect(Object.fromEntries(await state.bump(key, '10', 1, MINUTE))).toEqual({ '10': 2 });
    await state.forget(key, []);
    await state.close();
  });

  it('once: true the first time, false within the cooldown (signal time), true after it', async () => {
    const state = make();
    const key = `once:${randomUUID()}`;
    expect(await state.once(key, T, 60 * MINUTE)).toBe(true);
    expect(await state.once(key, T + 59 * MINUTE, 60 * MINUTE)).toBe(false);
    expect(await state.once(key, T + 60 * MINUTE, 60 * MINUTE)).toBe(true);
    expect(await state.once(key, T + 61 * MINUTE, 60 * MINUTE)).toBe(false);
    await state.close();
  });

  it('caps a window at MAX_WINDOW_ENTRIES (counts saturate instead of growing)', async () => {
    const state = make();
    const key = `cap:${randomUUID()}`;
    let last: number[] = [];
    for (let n = 0; n < MAX_WINDOW_ENTRIES + 50; n++) {
      last = await state.hit({
        key,
        member: `evt_${n}`,
        at: T + n,
        keepMs: 60 * MINUTE,
        windowsMs: [60 * MINUTE],
      });
    }
    expect(last).toEqual([MAX_WINDOW_ENTRIES]);
    await state.close();
  });
});

describe('memory detection state', () => {
  it('sweeps expired keys and bounds the number of keys', async () => {
    let now = 0;
    const state = new MemoryDetectionState({ now: () => now, maxKeys: 1000 });
    for (let i = 0; i < 500; i++) await state.setJson(`short:${i}`, i, 1000);
    now = 2000;
    for (let i = 0; i < 600; i++) await state.setJson(`long:${i}`, i, 60_000);
    expect(state.size).toBeLessThanOrEqual(1000);
    expect(await state.getJson('short:1')).toBeNull();
    expect(await state.getJson('long:599')).toBe(599);
    // A flood of live keys: the oldest go first, the size stays bounded.
    for (let i = 0; i < 5000; i++) await state.setJson(`flood:${i}`, i, 60_000);
    expect(state.size).toBeLessThanOrEqual(1000);
    expect(await state.getJson('flood:4999')).toBe(4999);
    await state.close();
    expect(state.size).toBe(0);
  });

  it('treats a key of another kind as absent', async () => {
    const state = new MemoryDetectionState();
    await state.setJson('k', { a: 1 }, MINUTE);
    expect(await state.evidence('k', 0)).toEqual([]);
    expect(await state.hit({ key: 'k', member: 'e', at: T, keepMs: MINUTE, windowsMs: [MINUTE] })).toEqual([
      1,
    ]);
    expect(await state.getJson('k')).toBeNull();
  });
});

describe('createDetectionState', () => {
  it('keeps state in memory by default and in Redis when a URL is configured', async () => {
    expect(createDetectionState(null)).toBeInstanceOf(MemoryDetectionState);
    const redis = createDetectionState('redis://127.0.0.1:1');
    expect(redis).toBeInstanceOf(RedisDetectionState);
    await redis.close();
  });

  it('rejects (instead of crashing the process) when Redis is unreachable', async () => {
    const state = new RedisDetectionState('redis://127.0.0.1:1');
    await expect(
      state.hit({ key: 'k', member: 'e', at: T, keepMs: MINUTE, windowsMs: [MINUTE] }),
    ).rejects.toBeInstanceOf(Error);
    await state.close();
  });
});
