import { describe, expect, it } from 'vitest';
import { countryName } from './Country';
import { flagUrl } from './flags';

describe('flags', () => {
  it('finds a flag file per ISO code, whatever the case', () => {
    expect(flagUrl('DE')).toMatch(/de\.svg/);
    expect(flagUrl('jp')).toMatch(/jp\.svg/);
  });

  it('has none for a code that is not a country', () => {
    expect(flagUrl('ZZ')).toBeUndefined();
    expect(flagUrl('')).toBeUndefined();
  });
});

describe('countryName', () => {
  it('names a country in English, falling back to the code', () => {
    expect(countryName('de')).toBe('Germany');
    expect(countryName('xx')).toBe('XX');
    expect(countryName('not a code')).toBe('NOT A CODE');
  });
});
