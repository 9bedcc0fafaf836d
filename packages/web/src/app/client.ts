import { CustosClient } from '@custos/sdk';

/** Reads a cookie the server made readable to scripts (only `custos_csrf`; the session cookie is HttpOnly). */
export function readCookie(name: string): string | undefined {
  for (const part of document.cookie.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

/** The one client the console talks to the server through: same origin, cookie session, CSRF header. */
export const client = new CustosClient({ csrfToken: () => readCookie('custos_csrf') });
