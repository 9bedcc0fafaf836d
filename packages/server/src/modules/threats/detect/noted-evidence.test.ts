import { randomUUID } from 'node:crypto';
import { SecurityEventEvidence } from '@custos/shared';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { evidenceOf, MINUTE } from './common';
import { MemoryDetectionState } from './memory-state';
import { evidenceFromJson } from './noted-evidence';
import { RedisDetectionState } from './redis-state';
import type { DetectionState } from './state';
import { makeSignal, T0 } from './test-fixtures';

const redisUrl = process.env.CUSTOS_TEST_REDIS_URL;
const prefix = `custos:threat:test:${randomUUID()}:`;

describe('evidence facts', () => {
  it('carries IP, country, device, account, outcome and reason, in the API’s shape', () => {
    const failed = evidenceOf(makeSignal('sign_in_failed', { reason: 'bad_password' }));
    expect(failed).toMatchObject({
      ip: '203.0.113.7',
      country: 'FR',
      device: 'Chrome on macOS',
      account: { kind: 'user', id: 'usr_alice', name: 'Alice' },
      outcome: 'failed',
      reason: 'bad_password',
    });
    expect(SecurityEventEvidence.safeParse(failed).success).toBe(true);
    expect(evidenceOf(makeSignal('sign_in_failed', { reason: 'rate_limited' })).outcome).toBe('refused');
    expect(evidenceOf(makeSignal('sign_in_succeeded')).outcome).toBe('succeeded');
    const denied = evidenceOf(makeSignal('access_denied', { permission: 'security:manage' }));
    expect(denied).toMatchObject({ outcome: 'denied', reason: 'security:manage' });
  });

  it('names an address without an account as such, never by the address', () => {
    const unknown = evidenceOf(
      makeSignal('sign_in_failed', {
        userId: null,
        userLabel: null,
        accountKey: 'email:5e3f…',
        reason: 'unknown_user',
      }),
    );
    expect(unknown.account).toEqual({ kind: 'unknown_address' });
    expect(JSON.stringify(unknown)).not.toContain('@');
  });

  it('reads back what an older server noted (no facts), and refuses what is no evidence', () => {
    const old = {
      auditEventId: 'a',
      seq: 3,
      action: 'user.sign_in_failed',
      occurredAt: '2025-03-03T09:00:00.000Z',
    };
    expect(evidenceFromJson(JSON.stringify(old))).toEqual(old);
    expect(evidenceFromJson(JSON.stringify({ ...old, country: 7, outcome: 'exploded' }))).toEqual({
      ...old,
      country: null,
      outcome: null,
    });
    expect(evidenceFromJson('{"seq":1}')).toBeNull();
    expect(evidenceFromJson('not json')).toBeNull();
  });
});

/** Notes evidence beside a window and reads it back, as a detector does. */
async function roundTrip(state: DetectionState) {
  const signal = makeSignal('sign_in_failed', {
    reason: 'unknown_user',
    userId: null,
    userLabel: null,
    accountKey: 'email:x',
    at: T0,
  });
  const noted = evidenceOf(signal);
  const key = `${randomUUID()}`;
  await state.hit({
    key,
    member: signal.auditEventId,
    at: signal.at,
    keepMs: 15 * MINUTE,
    windowsMs: [15 * MINUTE],
    note: { key: `${key}:ev`, item: noted },
  });
  return { noted, read: await state.evidence(`${key}:ev`, T0 - MINUTE) };
}

describe('evidence through detection state', () => {
  it('comes back whole from memory', async () => {
    const { noted, read } = await roundTrip(new MemoryDetectionState());
    expect(read).toEqual([noted]);
  });

  describe.skipIf(!redisUrl)('on Redis', () => {
    const state = new RedisDetectionState(redisUrl ?? '', { keyPrefix: prefix });
    afterAll(async () => {
      await state.close();
      const redis = new Redis(redisUrl ?? '');
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    });

    it('comes back whole through JSON, facts and all', async () => {
      const { noted, read } = await roundTrip(state);
      expect(read).toEqual([noted]);
      expect(read[0]).toMatchObject({
        account: { kind: 'unknown_address' },
        outcome: 'failed',
        ip: '203.0.113.7',
      });
    });
  });
});
