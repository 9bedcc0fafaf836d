import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { openRedis } from '../redis';
import type { Lease, LeaseHold } from './runner';

/** Extends the lease only for its holder: an expired lease another server took stays theirs. */
const RENEW_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;

/**
 * Job leases in Redis: SET NX PX with a random token per hold. The connection is opened at the
 * first acquire, so a server whose jobs need no lease opens none.
 */
export function createRedisLease(url: string) {
  let redis: Redis | null = null;
  const connection = () => {
    redis ??= openRedis(url, { keyPrefix: 'custos:job-lease:' });
    return redis;
  };
  const lease: Lease & { close(): Promise<void> } = {
    async acquire(name, ttlMs): Promise<LeaseHold | null> {
      const token = randomUUID();
      const taken = await connection().set(name, token, 'PX', ttlMs, 'NX');
      if (taken !== 'OK') return null;
      return {
        renew: async (renewMs) =>
          Number(await connection().eval(RENEW_SCRIPT, 1, name, token, renewMs)) === 1,
      };
    },
    async close() {
      const open = redis;
      redis = null;
      await open?.quit().catch(() => open.disconnect());
    },
  };
  return lease;
}
