import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Caller, RequestMeta } from './caller';
import { AppError, unauthenticated } from './errors';

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller;
  }
}

export interface Authenticators {
  /** Session token → caller, or null when not a live session. */
  session(token: string, meta: RequestMeta): Promise<Caller | null>;
  /** API key → caller, or null when unknown, revoked or expired. */
  apiKey(key: string, meta: RequestMeta): Promise<Caller | null>;
  /** The CSRF token a cookie session must send with unsafe methods. */
  csrfTokenFor(sessionToken: string): string;
  isApiKey(token: string): boolean;
  sessionCookie: string;
  csrfHeader: string;
  safeEqual(a: string, b: string): boolean;
  /**
   * Whether an identified caller may make this request at all (the organization's access rules);
   * throws to refuse it. Runs before the caller is set, so a refusal is not also audited as an
   * ordinary 403: the admitter records its own, naming the rule.
   */
  admit?(caller: Caller, request: FastifyRequest): Promise<void>;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Resolves every request's caller before its handler runs: a bearer token (session or API key)
 * or the console's session cookie, which needs a matching CSRF header on unsafe methods.
 * Routes and services decide what the caller may do; this hook only says who it is.
 */
export function registerAuthHook(app: FastifyInstance, auth: Authenticators): void {
  app.decorateRequest('caller');
  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization;
    const cookie = request.cookies?.[auth.sessionCookie];
    const meta = metaOf(request, sourceOf(request, header, cookie));
    request.caller = { kind: 'anonymous', meta };
    if (header) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match?.[1]) throw unauthenticated('The Authorization header must be "Bearer <token>".');
      const token = match[1];
      const caller = auth.isApiKey(token) ? await auth.apiKey(token, meta) : await auth.session(token, meta);
      if (!caller) throw unauthenticated('The token is invalid, expired or revoked. Sign in again.');
      await auth.admit?.(caller, request);
      request.caller = caller;
      return;
    }
    if (!cookie) return;
    const caller = await auth.session(cookie, meta);
    if (!caller) return; // a stale cookie is simply no session
    if (!SAFE_METHODS.has(request.method)) {
      const sent = request.headers[auth.csrfHeader];
      if (typeof sent !== 'string' || !auth.safeEqual(sent, auth.csrfTokenFor(cookie))) {
        throw new AppError(
          403,
          'CSRF_TOKEN_INVALID',
          'Missing or wrong CSRF token. Reload the page and try again.',
        );
      }
    }
    await auth.admit?.(caller, request);
    request.caller = caller;
  });
}

/**
 * `console` only for the console's cookie session, or a browser not yet signed in (browsers send
 * Sec-Fetch-Site with every request; Node's fetch, curl and the SDK do not); a bearer token, an API
 * key or any other client is `api`. A label for the trail, not a credential: nothing trusts it.
 */
function sourceOf(
  request: FastifyRequest,
  authorization: string | undefined,
  cookie: string | undefined,
): RequestMeta['source'] {
  if (authorization) return 'api';
  if (cookie || request.headers['sec-fetch-site'] !== undefined) return 'console';
  return 'api';
}

const header = (value: string | string[] | undefined): string | null =>
  typeof value === 'string' ? value.slice(0, 512) : null;

const DEVICE_TOKEN = /^[A-Za-z0-9_-]{43}$/;

function deviceTokenOf(request: FastifyRequest): string | null {
  const value = request.cookies?.custos_device ?? header(request.headers['x-custos-device']);
  return value && DEVICE_TOKEN.test(value) ? value : null;
}

function metaOf(request: FastifyRequest, source: RequestMeta['source']): RequestMeta {
  const { headers } = request;
  const userAgent = header(headers['user-agent']);
  return {
    ip: request.ip ?? null,
    deviceToken: deviceTokenOf(request),
    userAgent,
    requestId: String(request.id),
    source,
    device: {
      userAgent,
      acceptLanguage: header(headers['accept-language']),
      chUa: header(headers['sec-ch-ua']),
      chUaPlatform: header(headers['sec-ch-ua-platform']),
      chUaMobile: header(headers['sec-ch-ua-mobile']),
    },
  };
}
