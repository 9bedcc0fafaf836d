import type { AuditVerifyResult } from '@custos/sdk';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { canForget, type HistoryCheck, replaceRemembered } from './historyCheck';
import { readRemembered } from './rememberedCheckpoint';

const remembered = { note: 'old note\n', treeSize: 10, savedAt: '2025-01-01T00:00:00.000Z' };

function check(overrides: Partial<AuditVerifyResult['current']> = {}, ok = false): HistoryCheck {
  return {
    remembered,
    result: {
      ok,
      keysFrom: 'server',
      current: {
        origin: 'localhost/custos-audit',
        treeSize: 7,
        rootHash: 'ab',
        note: 'current note\n',
        signedBy: ['localhost'],
        status: 'verified',
        message: 'verified',
        ...overrides,
      },
      checks: [{ treeSize: 10, rootHash: 'cd', status: 'rolled-back', message: 'rolled back' }],
    },
  };
}

/** A Map standing in for localStorage. */
function stubStorage(failWrites = false) {
  const items = new Map<string, string>();
  vi.stubGlobal('localStorage', {
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => {
      if (failWrites) throw new Error('QuotaExceededError');
      items.set(key, value);
    },
  });
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('forgetting the remembered checkpoint', () => {
  it('is offered only for a failed check whose current checkpoint is properly signed', () => {
    expect(canForget(check())).toBe(true);
    expect(canForget(check({ status: 'bad-signature' }))).toBe(false);
    expect(canForget(check({ status: 'empty' }))).toBe(false);
    expect(canForget(check({}, true))).toBe(false);
    expect(canForget({ ...check(), remembered: null })).toBe(false);
  });

  it('remembers the current checkpoint in place of the old one', () => {
    stubStorage();
    const now = new Date('2025-02-03T04:05:06.000Z');
    expect(replaceRemembered('org_a', check(), now)).toEqual({ data: null });
    expect(readRemembered('org_a')).toEqual({
      note: 'current note\n',
      treeSize: 7,
      savedAt: '2025-02-03T04:05:06.000Z',
    });
  });

  it('refuses a current checkpoint that is not properly signed, and says when storage fails', () => {
    stubStorage();
    const refused = replaceRemembered('org_a', check({ status: 'bad-signature' }));
    expect('error' in refused && refused.error.code).toBe('NOTHING_TO_FORGET');
    expect(readRemembered('org_a')).toBeNull();
    stubStorage(true);
    const failed = replaceRemembered('org_a', check());
    expect('error' in failed && failed.error.code).toBe('STORAGE_UNAVAILABLE');
  });
});
