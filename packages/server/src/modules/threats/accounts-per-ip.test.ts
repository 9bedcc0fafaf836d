import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type AccountsPerIp, createAccountsPerIp, MemoryAccountsPerIp } from './accounts-per-ip';

const stores: Array<[string, () => AccountsPerIp]> = [['memory', () => new MemoryAccountsPerIp()]];
const redisUrl = process.env.CUSTOS_TEST_REDIS_URL;
if (redisUrl) stores.push(['redis', () => createAccountsPerIp(redisUrl)]);

describe.each(stores)('accounts per IP (%s)', (_name, make) => {
  const WINDOW = 60_000;

  it('admits up to the limit of distinct accounts, then answers how long to wait', async () => {
    const store = make();
    const ip = `ip-${randomUUID()}`;
    const at = Date.now();
    for (let i = 0; i < 5; i++) expect(await store.reserve(ip, `a${i}`, 5, WINDOW, at + i)).toBe(0);
    // The same account again is no new account.
    expect(await store.reserve(ip, 'a2', 5, WINDOW, at + 10)).toBe(0);
    const wait = await store.reserve(ip, 'a5', 5, WINDOW, at + 20);
    expect(wait).toBeGreaterThan(WINDOW - 100);
    expect(wait).toBeLessThanOrEqual(WINDOW);
    // Another IP has its own set; an account signed in to leaves room for another.
    expect(await store.reserve(`${ip}-other`, 'a5', 5, WINDOW, at + 20)).toBe(0);
    await store.release(ip, 'a0');
    expect(await store.reserve(ip, 'a5', 5, WINDOW, at + 30)).toBe(0);
    // Entries leave the window.
    expect(await store.reserve(ip, 'a9', 5, WINDOW, at + WINDOW + 40)).toBe(0);
    await store.close();
  });

  it('admits no more than the limit when reservations race', async () => {
    const store = make();
    const ip = `ip-${randomUUID()}`;
    const at = Date.now();
    const waits = await Promise.all(
      Array.from({ length: 40 }, (_, i) => store.reserve(ip, `acct${i}`, 5, WINDOW, at)),
    );
    expect(waits.filter((w) => w === 0)).toHaveLength(5);
    await store.close();
  });
});
