import type { AuditExportFormat } from '@custos/sdk';

/**
 * How an event line of the JSONL export starts (custos.audit.export/v1: the file also holds a
 * header, checkpoints, consistency proofs and a trailer, one JSON object per line).
 */
const JSONL_EVENT_LINE = '{"type":"event"';

/**
 * Counts the events of an export as its text arrives, to set against the server's count: JSONL
 * lines that are events; CSV line breaks outside quoted cells, less the header row.
 */
export function eventCounter(format: AuditExportFormat) {
  let count = 0;
  /** The first characters of the current JSONL line. */
  let head = '';
  let quoted = false;
  let rows = 0;
  let lastChar = '\n';

  const addJsonl = (text: string) => {
    for (let start = 0; ; ) {
      const end = text.indexOf('\n', start);
      if (head.length < JSONL_EVENT_LINE.length) {
        head += text.slice(
          start,
          Math.min(end === -1 ? text.length : end, start + JSONL_EVENT_LINE.length - head.length),
        );
      }
      if (end === -1) return;
      if (head === JSONL_EVENT_LINE) count++;
      head = '';
      start = end + 1;
    }
  };
  const addCsv = (text: string) => {
    for (const char of text) {
      if (char === '"') quoted = !quoted;
      else if (char === '\n' && !quoted) rows++;
    }
    if (text) lastChar = text.charAt(text.length - 1);
  };

  return {
    add: format === 'csv' ? addCsv : addJsonl,
    /** Events so far; `final` counts a last CSV row without a line break. */
    count(final = false): number {
      if (format === 'jsonl') return count;
      return Math.max(0, rows + (final && lastChar !== '\n' ? 1 : 0) - 1);
    },
  };
}
