import { describe, expect, it } from 'vitest';
import { parseRemembered, rememberedCheckpointKey } from './rememberedCheckpoint';

describe('parseRemembered', () => {
  const stored = { note: 'log\n3\nroot\n\n— key sig\n', treeSize: 3, savedAt: '2025-01-01T00:00:00.000Z' };

  it('reads back what was stored', () => {
    expect(parseRemembered(JSON.stringify(stored))).toEqual(stored);
  });

  it('reads nothing from a missing, foreign or damaged value', () => {
    for (const text of [
      null,
      '',
      'not json',
      '42',
      '{"note":1}',
      JSON.stringify({ ...stored, treeSize: -1 }),
    ]) {
      expect(parseRemembered(text)).toBeNull();
    }
  });

  it('keeps one checkpoint per organization', () => {
    expect(rememberedCheckpointKey('org_a')).not.toBe(rememberedCheckpointKey('org_b'));
  });
});
