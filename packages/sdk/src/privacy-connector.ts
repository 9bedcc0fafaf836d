import type { PrivacyHostTask, PrivacyTaskKind } from '@custos/shared';
import type { CustosClient } from './client';

/**
 * The host side of privacy connectors: turns Custos' tasks (a signed webhook, or a claim from the
 * task queue) into calls of typed handlers, once per task id. Works in Node 18+ and browsers
 * (Web Crypto), so it can sit in any host app.
 *
 *   const connector = createPrivacyConnector({
 *     secret: process.env.CUSTOS_PRIVACY_SECRET,
 *     handlers: { access: async (task) => exportUser(task.subject), erasure: async (task) => { … } },
 *     complete: (taskId, result) => client.privacy.tasks.complete(taskId, result ? { result } : {}),
 *   });
 *   // in the webhook route, with the raw body:
 *   const answer = await connector.handleWebhook(req.headers, rawBody);
 *   res.status(answer.status).end();
 */

/** A task's handler: access and portability answer the subject's data (JSON), the others nothing. */
export type TaskHandler<R> = (task: PrivacyHostTask) => Promise<R>;
type DataResult = Record<string, unknown> | unknown[];

export interface PrivacyHandlers {
  access: TaskHandler<DataResult>;
  portability?: TaskHandler<DataResult>;
  erasure: TaskHandler<void>;
  rectification?: TaskHandler<void>;
  restriction?: TaskHandler<void>;
  objection?: TaskHandler<void>;
  recipient_notice?: TaskHandler<void>;
  retention?: TaskHandler<void>;
}

/** Remembers which task ids were handled (replace with a shared store when running many instances). */
export interface SeenStore {
  /** Records `id`; false when it was already there (then the task is not handled again). */
  add(id: string): Promise<boolean> | boolean;
  /** Forgets `id` after its handler failed, so a redelivery tries again. */
  delete(id: string): Promise<void> | void;
}

export function memorySeenStore(max = 10_000): SeenStore {
  const ids = new Set<string>();
  return {
    add(id) {
      if (ids.has(id)) return false;
      ids.add(id);
      // Oldest first out: a Set iterates in insertion order.
      if (ids.size > max) ids.delete(ids.values().next().value as string);
      return true;
    },
    delete(id) {
      ids.delete(id);
    },
  };
}

export interface PrivacyConnectorOptions {
  /** The system's webhook signing secret (`whsec_…`), shown once when the system was made. */
  secret?: string;
  handlers: PrivacyHandlers;
  /** Tells Custos the task is done (with the data for access and portability). */
  complete: (taskId: string, result: DataResult | undefined) => Promise<unknown>;
  /** Tells Custos the task failed; by default a failed webhook handler answers 500 so Custos retries. */
  fail?: (taskId: string, reason: string) => Promise<unknown>;
  seen?: SeenStore;
  /** How old (or how far in the future) a webhook's timestamp may be; Standard Webhooks suggests 5 min. */
  toleranceSeconds?: number;
  now?: () => number;
}

export class WebhookVerificationError extends Error {
  constructor(readonly reason: 'missing_headers' | 'bad_timestamp' | 'bad_signature' | 'bad_body') {
    super(`privacy webhook refused: ${reason.replace('_', ' ')}`);
    this.name = 'WebhookVerificationError';
  }
}

type Headers = Record<string, string | string[] | undefined> | { get(name: string): string | null };

function header(headers: Headers, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  const value = (headers as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(value) ? value[0] : value;
}

function base64ToBytes(text: string) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** Compares without an early exit, so timing says nothing about where two signatures differ. */
function constantTimeEqual(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/** The Standard Webhooks signature of one message: `v1,<base64 HMAC-SHA256>`. */
export async function signPrivacyWebhook(secret: string, id: string, timestamp: number, body: string) {
  const raw = base64ToBytes(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret);
  const key = await crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`${id}.${timestamp}.${body}`));
  return `v1,${bytesToBase64(new Uint8Array(mac))}`;
}

/**
 * Checks a delivery's signature and timestamp (Standard Webhooks) and answers the task it carries;
 * throws WebhookVerificationError otherwise. `body` must be the raw body, byte for byte.
 */
export async function verifyPrivacyWebhook(
  secret: string,
  headers: Headers,
  body: string,
  options: { toleranceSeconds?: number; now?: () => number } = {},
): Promise<PrivacyHostTask> {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !timestamp || !signatures) throw new WebhookVerificationError('missing_headers');
  const seconds = Number(timestamp);
  const nowSeconds = Math.floor((options.now ?? Date.now)() / 1000);
  if (!Number.isInteger(seconds) || Math.abs(nowSeconds - seconds) > (options.toleranceSeconds ?? 300)) {
    throw new WebhookVerificationError('bad_timestamp');
  }
  const expected = await signPrivacyWebhook(secret, id, seconds, body);
  // Several space-separated signatures may be sent while a secret rotates: any one may match.
  const match = signatures.split(' ').some((s) => constantTimeEqual(s, expected));
  if (!match) throw new WebhookVerificationError('bad_signature');
  try {
    const message = JSON.parse(body) as { data?: PrivacyHostTask };
    if (!message.data || typeof message.data.id !== 'string') throw new Error('no task');
    return message.data;
  } catch {
    throw new WebhookVerificationError('bad_body');
  }
}

export function createPrivacyConnector(options: PrivacyConnectorOptions) {
  const seen = options.seen ?? memorySeenStore();

  function handlerOf(kind: PrivacyTaskKind): TaskHandler<DataResult | undefined> | undefined {
    const handlers = options.handlers as unknown as Record<
      string,
      TaskHandler<DataResult | undefined> | undefined
    >;
    return handlers[kind];
  }

  /**
   * Runs a task's handler once per task id and reports the outcome through `complete`: answers
   * 'done', 'duplicate' (already handled) or 'unhandled' (no handler: nothing done, reported as
   * completed without data so the request is not held up). Throws what the handler threw.
   */
  async function run(task: PrivacyHostTask): Promise<'done' | 'duplicate' | 'unhandled'> {
    if (!(await seen.add(task.id))) return 'duplicate';
    const handler = handlerOf(task.kind);
    try {
      const result = handler ? await handler(task) : undefined;
      await options.complete(task.id, result ?? undefined);
      return handler ? 'done' : 'unhandled';
    } catch (error) {
      await seen.delete(task.id);
      throw error;
    }
  }

  /**
   * One pass of a polling system: claims up to `limit` tasks and runs each; a handler that
   * throws fails its task with the message. Answers how many tasks were claimed.
   */
  async function pollOnce(client: CustosClient, systemId: string, limit = 10): Promise<number> {
    const { tasks } = await client.privacy.tasks.claim({ systemId, limit });
    for (const task of tasks) {
      try {
        await run(task);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        const fail = options.fail ?? ((id: string, why: string) => client.privacy.tasks.fail(id, why));
        await fail(task.id, reason);
      }
    }
    return tasks.length;
  }

  return {
    run,

    /** Verifies, parses and runs one webhook delivery; answers the HTTP status to reply with. */
    async handleWebhook(headers: Headers, body: string): Promise<{ status: number; outcome: string }> {
      if (!options.secret) throw new Error('createPrivacyConnector: a secret is needed for webhooks');
      let task: PrivacyHostTask;
      try {
        task = await verifyPrivacyWebhook(options.secret, headers, body, {
          ...(options.toleranceSeconds !== undefined ? { toleranceSeconds: options.toleranceSeconds } : {}),
          ...(options.now ? { now: options.now } : {}),
        });
      } catch (error) {
        if (error instanceof WebhookVerificationError) return { status: 401, outcome: error.reason };
        throw error;
      }
      try {
        return { status: 200, outcome: await run(task) };
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        if (options.fail) {
          await options.fail(task.id, reason);
          return { status: 200, outcome: 'failed' };
        }
        return { status: 500, outcome: 'failed' };
      }
    },

    pollOnce,

    /** Polls until `signal` aborts, waiting `intervalMs` whenever the queue is empty. */
    async poll(
      client: CustosClient,
      systemId: string,
      loop: { signal?: AbortSignal; intervalMs?: number; limit?: number } = {},
    ): Promise<void> {
      while (!loop.signal?.aborted) {
        const claimed = await pollOnce(client, systemId, loop.limit);
        if (claimed === 0) await new Promise((resolve) => setTimeout(resolve, loop.intervalMs ?? 5_000));
      }
    },
  };
}

export type PrivacyConnector = ReturnType<typeof createPrivacyConnector>;
