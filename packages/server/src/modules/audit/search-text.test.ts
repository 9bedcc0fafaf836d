import { describe, expect, it } from 'vitest';
import { ipKeyRange } from './ip';
import { fullTextTerms, parseFullText } from './search-text';

describe('reading a search box (issue 17)', () => {
  it('takes addresses and CIDR blocks as IP ranges, and keeps their words for the text', () => {
    const q = parseFullText('10.1.2.3 [2001:db8::5] 10.0.0.0/8,');
    expect(q.addresses).toEqual([
      { range: ipKeyRange('10.1.2.3'), terms: ['10', '1', '2', '3'], exact: '10.1.2.3' },
      { range: ipKeyRange('2001:db8::5'), terms: ['2001', 'db8', '5'], exact: '2001:db8::5' },
      { range: ipKeyRange('10.0.0.0/8'), terms: ['10', '0', '0', '0', '8'], exact: '10.0.0.0/8' },
    ]);
    expect(q.words).toEqual([]);
    expect(q.person).toBeNull();
  });

  it('does not take years, times, versions or bad blocks for addresses', () => {
    for (const text of ['2026', '12:30', '1.2.3', '10.0.0.1/99', '10.0.0.1/8/8', '0x7f000001']) {
      expect(parseFullText(text).addresses, text).toEqual([]);
    }
  });

  it('keeps e-mails whole for PostgreSQL and names the member to look up', () => {
    const q = parseFullText('Ada@Example.com');
    expect(q.words).toEqual([{ terms: ['ada', 'example', 'com'], exact: 'ada@example.com' }]);
    expect(q.person).toEqual({ email: 'ada@example.com' });
    expect(parseFullText('Ada Lovelace 10.1.2.3').person).toEqual({ name: 'ada lovelace' });
    // A query-syntax e-mail look-alike is only words.
    expect(parseFullText('"a"@b.c OR x').words[0]?.exact).toBeNull();
  });

  it('lets only letters and digits through to the full-text syntax', () => {
    expect(fullTextTerms('"OR * NEAR( a:b ^c')).toEqual(['or', 'near', 'a', 'b', 'c']);
    const q = parseFullText('") OR 1=1 -- \' & | ! <-> :*');
    for (const part of [...q.words, ...q.addresses]) {
      for (const term of part.terms) expect(term).toMatch(/^[\p{L}\p{N}]+$/u);
      expect(part.exact).toBeNull();
    }
  });
});
