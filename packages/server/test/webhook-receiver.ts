import { createHmac, timingSafeEqual } from 'node:crypto';
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A webhook consumer written from the Standard Webhooks specification (spec/standard-webhooks.md,
 * "Verifying webhook authenticity"), independent of the sender's code, so tests prove what any
 * standard receiver would accept. Also a small HTTP server that records what it receives and
 * answers status codes from a script.
 */

export class WebhookVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
  }
}

const SECRET_PREFIX = 'whsec_';
/** The spec's replay guard: the attempt's timestamp must be within this of the receiver's clock. */
export const TOLERANCE_SECONDS = 5 * 60;

function header(headers: IncomingHttpHeaders | Record<string, string | undefined>, name: string): string {
  const value = headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  if (typeof text !== 'string' || text.length === 0)
    throw new WebhookVerificationError(`missing ${name} header`);
  return text;
}

/** Symmetric secrets are base64, optionally prefixed with whsec_. */
function secretBytes(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const bytes = Buffer.from(encoded, 'base64');
  if (bytes.length === 0) throw new WebhookVerificationError('empty secret');
  return bytes;
}

function checkTimestamp(raw: string, nowSeconds: number): number {
  if (!/^\d{1,12}$/.test(raw)) throw new WebhookVerificationError('invalid webhook-timestamp');
  const timestamp = Number(raw);
  if (timestamp < nowSeconds - TOLERANCE_SECONDS) throw new WebhookVerificationError('timestamp too old');
  if (timestamp > nowSeconds + TOLERANCE_SECONDS) throw new WebhookVerificationError('timestamp too new');
  return timestamp;
}

/**
 * Verifies one delivery; throws WebhookVerificationError naming the reason. `body` must be the raw
 * body as received (re-serialised JSON would not verify). The signature header is a space-separated
 * list of `<version>,<base64>`; any `v1` entry equal (in constant time) to ours is enough.
 */
export function verifyWebhook(
  secret: string,
  headers: IncomingHttpHeaders | Record<string, string | undefined>,
  body: string,
  nowMs = Date.now(),
): { id: string; timestamp: number } {
  const id = header(headers, 'webhook-id');
  const timestamp = checkTimestamp(header(headers, 'webhook-timestamp'), Math.floor(nowMs / 1000));
  const signatures = header(headers, 'webhook-signature');
  const expected = createHmac('sha256', secretBytes(secret)).update(`${id}.${timestamp}.${body}`).digest();
  for (const entry of signatures.split(' ')) {
    const comma = entry.indexOf(',');
    if (comma < 0) continue;
    const version = entry.slice(0, comma);
    const given = Buffer.from(entry.slice(comma + 1), 'base64');
    if (version !== 'v1' || given.length !== expected.length) continue;
    if (timingSafeEqual(given, expected)) return { id, timestamp };
  }
  throw new WebhookVerificationError('no matching signature');
}

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
  /** null until a secret is known; then whether verifyWebhook accepted it. */
  verified: boolean | null;
  error: string | null;
  /** The status this receiver answered. */
  answered: number;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** The channel's secret (known only once the channel is created). */
  setSecret(secret: string): void;
  /** Status codes for the next requests, in order; after them every request gets `then`. */
  respondWith(codes: number[], then?: number): void;
  /** Resolves when `count` requests have arrived (or rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  let secret: string | null = null;
  let script: number[] = [];
  let fallback = 200;
  const waiters: Array<{ count: number; resolve: () => void }> = [];

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let verified: boolean | null = null;
      let error: string | null = null;
      if (secret) {
        try {
          verifyWebhook(secret, req.headers, body);
          verified = true;
        } catch (e) {
          verified = false;
          error = e instanceof Error ? e.message : String(e);
        }
      }
      const answered = script.shift() ?? fallback;
      received.push({ headers: req.headers, body, verified, error, answered });
      res.writeHead(answered, answered >= 300 && answered < 400 ? { location: 'http://127.0.0.1:1/' } : {});
      res.end();
      for (const waiter of [...waiters]) {
        if (received.length >= waiter.count) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/hooks/custos`,
    received,
    setSecret: (value) => {
      secret = value;
    },
    respondWith: (codes, then = 200) => {
      script = [...codes];
      fallback = then;
    },
    waitFor: (count, timeoutMs = 5_000) =>
      new Promise<ReceivedWebhook[]>((resolve, reject) => {
        if (received.length >= count) return resolve(received);
        const timer = setTimeout(
          () => reject(new Error(`webhook receiver: ${received.length} of ${count} requests arrived`)),
          timeoutMs,
        );
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve(received);
          },
        });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
