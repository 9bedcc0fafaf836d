/**
 * The console's live security stream (GET /api/v1/security/stream) read over real HTTP, as a
 * browser's EventSource would: each message handed to `onMessage` the moment its frame is complete,
 * with the time (performance.now()) its last byte was read.
 */
import type { SecurityStreamMessage } from '@custos/shared';

export interface SecurityStream {
  /** Messages read so far (every kind). */
  readonly count: () => number;
  close(): Promise<void>;
}

/** The data of one SSE frame (its `data:` lines joined), or null for comments and heartbeats. */
function dataOf(frame: string): string | null {
  const lines = frame.split('\n').filter((line) => line.startsWith('data:'));
  return lines.length === 0 ? null : lines.map((line) => line.slice(5).trim()).join('\n');
}

export async function openSecurityStream(
  base: string,
  token: string,
  onMessage: (message: SecurityStreamMessage, at: number) => void,
): Promise<SecurityStream> {
  const controller = new AbortController();
  const res = await fetch(`${base}/api/v1/security/stream`, {
    headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
    signal: controller.signal,
  });
  const reader = res.body?.getReader();
  if (res.status !== 200 || !reader) throw new Error(`the security stream answered ${res.status}`);
  const decoder = new TextDecoder();
  let buffer = '';
  let count = 0;
  const pump = (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      const at = performance.now();
      buffer += decoder.decode(value, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const data = dataOf(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        if (!data) continue;
        count += 1;
        onMessage(JSON.parse(data) as SecurityStreamMessage, at);
      }
    }
  })();
  return {
    count: () => count,
    async close() {
      controller.abort();
      await pump;
    },
  };
}
