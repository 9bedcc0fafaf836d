import { describe, expect, it } from 'vitest';
import { changesBetween } from './changes';

describe('changesBetween', () => {
  it('lists each key of `after` whose value changed, in the order of `after`', () => {
    const before = { name: 'a', enabled: true, tags: ['x'] };
    const after = { tags: ['x', 'y'], enabled: true, name: 'b' };
    const changes = changesBetween(before, after);
    expect(changes).toEqual({ tags: [['x'], ['x', 'y']], name: ['a', 'b'] });
    expect(Object.keys(changes)).toEqual(['tags', 'name']);
  });

  it('compares by JSON: equal arrays and objects are no change, key order inside them is', () => {
    expect(changesBetween({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toEqual({});
    expect(changesBetween({ a: { x: 1, y: 2 } }, { a: { y: 2, x: 1 } })).toEqual({
      a: [
        { x: 1, y: 2 },
        { y: 2, x: 1 },
      ],
    });
  });

  it('records a field that appears, disappears or becomes null', () => {
    const before: Record<string, unknown> = { gone: 1, nulled: 'v' };
    const after: Record<string, unknown> = { added: 2, gone: undefined, nulled: null };
    expect(changesBetween(before, after)).toEqual({
      added: [undefined, 2],
      gone: [1, undefined],
      nulled: ['v', null],
    });
  });

  it('compares only the given keys, in their order', () => {
    const before = { a: 1, b: 1, c: 1 };
    const after = { a: 2, b: 2, c: 2 };
    const changes = changesBetween(before, after, { keys: ['c', 'a'] });
    expect(Object.keys(changes)).toEqual(['c', 'a']);
    expect(changesBetween(before, after, { keys: [] })).toEqual({});
  });

  it('prefixes field names, e.g. for the fields of a nested object', () => {
    const changes = changesBetween(
      { brute_force: { on: true } },
      { brute_force: { on: false } },
      {
        prefix: 'detectors.',
      },
    );
    expect(changes).toEqual({ 'detectors.brute_force': [{ on: true }, { on: false }] });
  });
});
