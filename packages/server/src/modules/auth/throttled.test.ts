import { describe, expect, it } from 'vitest';
import { createLogger } from '../../platform/log';
import type { AuditRecordInput } from '../audit';
import { ACCOUNTS_PER_SOURCE, createThrottleSummaries, type ThrottledAttempt } from './throttled';

function recorder() {
  const written: AuditRecordInput[] = [];
  return {
    written,
    audit: {
      async recordGrouped(_caller: unknown, inputs: AuditRecordInput[]) {
        written.push(...inputs);
        return [];
      },
    },
  };
}

const attempt = (over: Partial<ThrottledAttempt> = {}): ThrottledAttempt => ({
  organizationId: 'org-1',
  user: { id: 'u1', name: 'Ada' },
  email: 'ada@example.com',
  accountKey: 'user:u1',
  ip: '203.0.113.5',
  userAgent: 'curl/8',
  trust: 'none',
  reason: 'delayed',
  ...over,
});

describe('throttled sign-in summaries', () => {
  it('counts a flood into one summary per account, source and window', async () => {
    const { audit, written } = recorder();
    const heard: number[] = [];
    const summaries = createThrottleSummaries({
      audit,
      log: createLogger('silent'),
      windowMs: 60_000,
      onRefused: (_a, at) => heard.push(at),
    });
    const start = Math.floor(Date.now() / 60_000) * 60_000 - 120_000;
    for (let i = 0; i < 1000; i++) {
      summaries.note(
        attempt({ reason: i % 2 ? 'delayed' : 'rate_limited', userAgent: `agent ${i % 9}` }),
        start + i,
      );
    }
    // The next window of the same source and account is a new summary.
    summaries.note(attempt(), start + 60_000);
    expect(heard).toHaveLength(1001);
    expect(await summaries.flush()).toBe(2);
    expect(written).toHaveLength(2);
    const [first] = written;
    expect(first).toMatchObject({
      action: 'auth.sign_in_throttled',
      outcome: 'failure',
      organizationId: 'org-1',
      actor: { type: 'user', id: 'u1', email: 'ada@example.com' },
      metadata: { count: 1000, reasons: { delayed: 500, rate_limited: 500 }, windowSeconds: 60 },
    });
    expect((first?.metadata as { userAgents: string[] } | undefined)?.userAgents).toHaveLength(5);
    expect(await summaries.flush()).toBe(0);
    await summaries.close();
  });

  it('bounds the summaries of a source trying many accounts', async () => {
    const { audit, written } = recorder();
    const summaries = createThrottleSummaries({ audit, log: createLogger('silent') });
    for (let i = 0; i < 500; i++) {
      summaries.note(
        attempt({ organizationId: null, user: null, email: `x${i}@example.com`, accountKey: `email:${i}` }),
      );
    }
    await summaries.close();
    expect(written).toHaveLength(ACCOUNTS_PER_SOURCE + 1);
    const rest = written.find((w) => (w.metadata as { accounts?: number }).accounts !== undefined);
    expect(rest?.metadata).toMatchObject({
      count: 500 - ACCOUNTS_PER_SOURCE,
      accounts: 500 - ACCOUNTS_PER_SOURCE,
    });
    expect(rest?.actor).toMatchObject({ type: 'anonymous', id: null });
  });

  it('keeps the window open until it closes, unless everything is flushed (server stop)', async () => {
    const { audit, written } = recorder();
    const summaries = createThrottleSummaries({ audit, log: createLogger('silent'), windowMs: 3_600_000 });
    summaries.note(attempt());
    expect(await summaries.flush()).toBe(0);
    await summaries.close();
    expect(written).toHaveLength(1);
  });

  it('stays bounded however many sources flood it', async () => {
    const { audit, written } = recorder();
    const summaries = createThrottleSummaries({ audit, log: createLogger('silent') });
    for (let i = 0; i < 25_000; i++) {
      summaries.note(
        attempt({ ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, accountKey: `email:${i}` }),
      );
    }
    await summaries.close();
    expect(written.length).toBeLessThanOrEqual(10_000);
    expect(written.length).toBeGreaterThan(0);
  });
});
