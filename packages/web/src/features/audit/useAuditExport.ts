import { type AuditExportFormat, EXPORT_COUNT_HEADER } from '@custos/sdk';
import type { AuditSearchQuery } from '@custos/shared';
import { useRef, useState } from 'react';
import { client } from '../../app/client';
import { type ApiError, toApiError } from '../../app/errors';
import { saveFile } from './download';
import { eventCounter } from './exportCount';

export type ExportState =
  | { status: 'idle' }
  | { status: 'running'; format: AuditExportFormat; events: number; bytes: number; total?: number }
  | { status: 'done'; format: AuditExportFormat; events: number; bytes: number; fileName: string }
  | { status: 'failed'; format: AuditExportFormat; error: ApiError };

const MIME_TYPES: Record<AuditExportFormat, string> = {
  jsonl: 'application/x-ndjson',
  csv: 'text/csv',
};
/** Progress is repainted at most this often while bytes stream in. */
const PAINT_EVERY_MS = 100;
function fileNameOf(response: Response, format: AuditExportFormat): string {
  const disposition = response.headers.get('content-disposition') ?? '';
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
  if (match?.[1]) return decodeURIComponent(match[1]);
  return `custos-audit-${new Date().toISOString().slice(0, 10)}.${format}`;
}

/**
 * Exports the events matching a search. The file streams in through the SDK's raw `Response` (not
 * RTK Query, which keeps whole, serializable results) so progress can be shown and the download
 * cancelled; when complete it is saved through a Blob URL.
 */
export function useAuditExport() {
  const [state, setState] = useState<ExportState>({ status: 'idle' });
  const controller = useRef<AbortController | null>(null);

  async function start(query: AuditSearchQuery, format: AuditExportFormat): Promise<void> {
    controller.current?.abort();
    const abort = new AbortController();
    controller.current = abort;
    setState({ status: 'running', format, events: 0, bytes: 0 });
    try {
      const response = await client.audit.export({ ...query, format }, { signal: abort.signal });
      const header = response.headers.get(EXPORT_COUNT_HEADER);
      const total = header !== null && Number.isFinite(Number(header)) ? Number(header) : undefined;
      const counter = eventCounter(format);
      const decoder = new TextDecoder();
      const chunks: Uint8Array<ArrayBuffer>[] = [];
      let bytes = 0;
      let painted = 0;
      const reader = response.body?.getReader();
      for (;;) {
        if (!reader) break;
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        bytes += value.length;
        counter.add(decoder.decode(value, { stream: true }));
        if (Date.now() - painted >= PAINT_EVERY_MS) {
          painted = Date.now();
          setState({ status: 'running', format, events: counter.count(), bytes, total });
        }
      }
      counter.add(decoder.decode());
      const fileName = fileNameOf(response, format);
      saveFile(new Blob(chunks, { type: MIME_TYPES[format] }), fileName);
      setState({ status: 'done', format, events: counter.count(true), bytes, fileName });
    } catch (error) {
      if (abort.signal.aborted) setState({ status: 'idle' });
      else setState({ status: 'failed', format, error: toApiError(error) });
    } finally {
      if (controller.current === abort) controller.current = null;
    }
  }

  return {
    state,
    start,
    /** Stops a running export; nothing is saved. */
    cancel: () => controller.current?.abort(),
    reset: () => setState({ status: 'idle' }),
  };
}
