import { describe, expect, it } from 'vitest';
import { preferUntriaged } from './api';

describe('preferUntriaged', () => {
  it('takes the newest event still open or acknowledged, else the newest, else none', () => {
    const resolved = { id: 'a', status: 'resolved' as const };
    const acknowledged = { id: 'b', status: 'acknowledged' as const };
    const open = { id: 'c', status: 'open' as const };
    expect(preferUntriaged([resolved, acknowledged, open])?.id).toBe('b');
    expect(preferUntriaged([resolved, { id: 'd', status: 'false_positive' as const }])?.id).toBe('a');
    expect(preferUntriaged([])).toBeNull();
  });
});
