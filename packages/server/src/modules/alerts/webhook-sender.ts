import http from 'node:http';
import https from 'node:https';
import { guardedLookup, literalHostRefused } from './url-guard';

export interface AttemptOutcome {
  ok: boolean;
  responseCode: number | null;
  /** Short, for people: never the body of the answer, never a secret. */
  error: string | null;
}

export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  allowPrivateNetworks: boolean;
  timeoutMs: number;
}

/**
 * One POST, per the Standard Webhooks delivery rules: 2xx is success; redirects are not followed
 * (node's http client never follows them, so a 3xx is simply a failure); the whole exchange has a
 * deadline. Connections go through the SSRF-guarded lookup unless private networks are allowed.
 */
export function postWebhook(request: WebhookRequest): Promise<AttemptOutcome> {
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return Promise.resolve({ ok: false, responseCode: null, error: 'invalid URL' });
  }
  const literal = literalHostRefused(url, request.allowPrivateNetworks);
  if (literal) return Promise.resolve({ ok: false, responseCode: null, error: `refused: ${literal}` });
  const client = url.protocol === 'https:' ? https : http;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), request.timeoutMs);
  return new Promise<AttemptOutcome>((resolve) => {
    const finish = (outcome: AttemptOutcome) => {
      clearTimeout(timer);
      resolve(outcome);
    };
    const req = client.request(
      url,
      {
        method: 'POST',
        headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
        signal: controller.signal,
        agent: false,
        ...(request.allowPrivateNetworks ? {} : { lookup: guardedLookup }),
      },
      (res) => {
        const code = res.statusCode ?? 0;
        // The answer's body is not needed; drain it so the socket closes cleanly.
        res.resume();
        res.on('end', () =>
          finish({
            ok: code >= 200 && code < 300,
            responseCode: code,
            error: code >= 200 && code < 300 ? null : describeStatus(code),
          }),
        );
        res.on('error', () =>
          finish({ ok: false, responseCode: code, error: 'connection lost while reading' }),
        );
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) =>
      finish({
        ok: false,
        responseCode: null,
        error: describeError(error, controller.signal.aborted, request.timeoutMs),
      }),
    );
    req.end(request.body);
  });
}

function describeStatus(code: number): string {
  if (code >= 300 && code < 400) return `HTTP ${code} (redirects are not followed)`;
  return `HTTP ${code}`;
}

function describeError(error: NodeJS.ErrnoException, timedOut: boolean, timeoutMs: number): string {
  if (timedOut) return `timed out after ${Math.round(timeoutMs / 1000)} s`;
  if (error.code === 'ECUSTOS_PRIVATE_ADDRESS') return `refused: ${error.message}`;
  if (error.code === 'ENOTFOUND') return 'host not found';
  if (error.code === 'ECONNREFUSED') return 'connection refused';
  if (error.code === 'ECONNRESET') return 'connection reset';
  return (error.code ?? error.message).slice(0, 200);
}
