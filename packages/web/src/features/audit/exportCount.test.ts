import { describe, expect, it } from 'vitest';
import { eventCounter } from './exportCount';

/** Feeds `text` to a counter in pieces of `size` characters, as a stream would. */
function countIn(format: 'jsonl' | 'csv', text: string, size: number): number {
  const counter = eventCounter(format);
  for (let i = 0; i < text.length; i += size) counter.add(text.slice(i, i + size));
  return counter.count(true);
}

describe('export event counter', () => {
  const jsonl = [
    { type: 'header', format: 'custos.audit.export/v1' },
    { type: 'event', seq: 1, body: '{"type":"event"}' },
    { type: 'checkpoint', treeSize: 1 },
    { type: 'event', seq: 2, event: { metadata: { note: 'line\nbreak' } } },
    { type: 'trailer', events: 2 },
  ]
    .map((line) => `${JSON.stringify(line)}\n`)
    .join('');

  it('counts only the event lines of a JSONL export, however the text is split', () => {
    for (const size of [1, 3, 7, 15, 16, 64, jsonl.length]) expect(countIn('jsonl', jsonl, size)).toBe(2);
  });

  it('counts CSV rows without the header, with line breaks and quotes inside cells', () => {
    const csv =
      'seq,action,metadata\r\n1,user.signed_in,"{""a"":1}"\r\n2,note.added,"two\r\nlines"\r\n3,x.y,';
    for (const size of [1, 2, 5, csv.length]) expect(countIn('csv', csv, size)).toBe(3);
    expect(countIn('csv', 'seq,action\r\n', 4)).toBe(0);
  });
});
