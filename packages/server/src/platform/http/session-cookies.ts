import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config';

export const SESSION_COOKIE = 'custos_session';
export const CSRF_COOKIE = 'custos_csrf';
export const CSRF_HEADER = 'x-csrf-token';
/** A browser that completed a sign-in: lockouts of unknown devices never shut it out. */
export const DEVICE_COOKIE = 'custos_device';
const DEVICE_COOKIE_DAYS = 400;

/**
 * The CSRF token bound to a session: derived one-way from the session token, so it needs no
 * storage, cannot be forged without the HttpOnly cookie, and dies with the session.
 */
export function csrfTokenFor(sessionToken: string): string {
  return createHash('sha256').update(`custos-csrf:${sessionToken}`).digest('base64url');
}

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
  issued: { token: string; result: T & { expiresAt: string }; deviceToken?: string | null },
  tokenType: 'cookie' | 'bearer',
): T & { expiresAt: string; token?: string; deviceToken?: string } {
  if (tokenType === 'bearer') {
    // A bearer client keeps its device token itself and sends it back as x-custos-device.
    return {
      ...issued.result,
      token: issued.token,
      ...(issued.deviceToken ? { deviceToken: issued.deviceToken } : {}),
    };
  }
  if (issued.deviceToken) setDeviceCookie(reply, config, issued.deviceToken);
  setSessionCookies(reply, config, issued.token, issued.result.expiresAt);
  return issued.result;
}

/**
 * After a session's token was replaced (re-authentication, privilege change): a bearer client
 * reads the new token from the answer, the console gets it in its cookie. A null token means the
 * session ended, so the console's cookies go too.
 */
export function handOverToken(
  request: FastifyRequest,
  reply: FastifyReply,
  config: Config,
  token: string | null,
  expiresAt: string,
): { token?: string } {
  const bearer = request.headers.authorization !== undefined;
  if (token === null) {
    if (!bearer) clearSessionCookies(reply, config);
    return {};
  }
  if (bearer) return { token };
  setSessionCookies(reply, config, token, expiresAt);
  return {};
}

/** Only the sign-in routes read it, so it travels nowhere else. */
export function setDeviceCookie(reply: FastifyReply, config: Config, token: string): void {
  reply.setCookie(DEVICE_COOKIE, token, {
    path: '/api/v1/auth',
    sameSite: 'lax',
    secure: config.secureCookies,
    httpOnly: true,
    maxAge: DEVICE_COOKIE_DAYS * 86_400,
  });
}
