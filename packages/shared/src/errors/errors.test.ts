import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from './index';

describe('ERROR_CODES', () => {
  it('names each code once, however many module files declare codes', () => {
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
  });

  it('spells every code in SCREAMING_SNAKE', () => {
    for (const code of ERROR_CODES) expect(code).toMatch(/^[A-Z]+(_[A-Z]+)*$/);
  });
});
