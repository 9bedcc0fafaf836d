import type { FastifyReply } from 'fastify';
import type { Config } from '../../config';
import { CSRF_COOKIE, csrfTokenFor, SESSION_COOKIE } from './tokens';

/**
 * Hands a session to the console: the token goes only into an HttpOnly cookie (scripts never see
 * it); the CSRF token goes into a readable cookie the console echoes in a header.
 */
export function setSessionCookies(
  reply: FastifyReply,
  config: Config,
  token: string,
  expiresAt: string,
): void {
  const options = {
    path: '/',
    sameSite: 'lax' as const,
    secure: config.secureCookies,
    expires: new Date(expiresAt),
  };
  reply.setCookie(SESSION_COOKIE, token, { ...options, httpOnly: true });
  reply.setCookie(CSRF_COOKIE, csrfTokenFor(token), { ...options, httpOnly: false });
}

export function clearSessionCookies(reply: FastifyReply, config: Config): void {
  const options = { path: '/', sameSite: 'lax' as const, secure: config.secureCookies };
  reply.clearCookie(SESSION_COOKIE, { ...options, httpOnly: true });
  reply.clearCookie(CSRF_COOKIE, options);
}

/** The body of a sign-in-like answer: the token only when the client asked for a bearer token. */
export function deliverSession<T extends object>(
  reply: FastifyReply,
  config: Config,
  issued: { token: string; result: T & { expiresAt: string } },
  tokenType: 'cookie' | 'bearer',
): T & { expiresAt: string; token?: string } {
  if (tokenType === 'bearer') return { ...issued.result, token: issued.token };
  setSessionCookies(reply, config, issued.token, issued.result.expiresAt);
  return issued.result;
}
