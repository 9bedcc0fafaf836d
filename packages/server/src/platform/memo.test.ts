import { describe, expect, it } from 'vitest';
import { memoizeText } from './memo';

describe('memoizeText', () => {
  it('computes each text once, null answers included', () => {
    const seen: string[] = [];
    const memo = memoizeText((text: string) => {
      seen.push(text);
      return text === 'none' ? null : text.length;
    });
    expect([memo('abc'), memo('abc'), memo('none'), memo('none')]).toEqual([3, 3, null, null]);
    expect(seen).toEqual(['abc', 'none']);
  });

  it('starts over when full, so distinct values cannot grow it without bound', () => {
    const seen: string[] = [];
    const memo = memoizeText((text: string) => seen.push(text), 2);
    memo('a');
    memo('b');
    memo('c'); // full: forgets a and b
    memo('a');
    memo('c');
    expect(seen).toEqual(['a', 'b', 'c', 'a']);
  });
});
