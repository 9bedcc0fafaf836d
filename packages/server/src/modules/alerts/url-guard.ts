import { promises as dns, lookup as dnsLookup, type LookupAddress } from 'node:dns';
import ipaddr from 'ipaddr.js';
import { badRequest } from '../../platform/http/errors';

/**
 * SSRF guard for webhook targets. An organization admin chooses the URL, so without this Custos
 * could be made to call its own network (cloud metadata, databases, admin ports). Only public
 * unicast addresses pass: loopback, private, link-local, unique-local, unspecified, carrier-grade
 * NAT, reserved, multicast, and IPv6 forms that embed IPv4 (6to4, NAT64, Teredo) are refused.
 * The check runs when the URL is saved and again at every connection (see `guardedLookup`), so a
 * name that later resolves somewhere private (DNS rebinding) is refused at send time.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  // IPv4-mapped IPv6 (::ffff:10.0.0.1) is judged as the IPv4 address it is.
  const parsed = ipaddr.process(address);
  return parsed.range() === 'unicast';
}

/** The URL's host without IPv6 brackets. */
function bareHost(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

const refused = (message: string) =>
  badRequest('VALIDATION_FAILED', `The webhook URL is refused: ${message}`, [{ path: 'url', message }]);

/** The URL's shape: http(s), a host, no credentials. Throws 400 VALIDATION_FAILED naming the reason. */
export function checkUrlShape(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refused('it is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw refused('only http and https are allowed');
  if (url.username || url.password) throw refused('credentials in the URL are not allowed');
  if (!url.hostname) throw refused('it has no host');
  return url;
}

/**
 * Checks a webhook URL when it is saved: its shape and, unless private networks are allowed, that
 * the host is or resolves only to public addresses.
 */
export async function checkWebhookUrl(raw: string, allowPrivate: boolean): Promise<string> {
  const url = checkUrlShape(raw);
  if (allowPrivate) return url.toString();
  const host = bareHost(url);
  if (ipaddr.isValid(host)) {
    if (!isPublicAddress(host)) throw refused(`${host} is not a public address`);
    return url.toString();
  }
  let addresses: LookupAddress[];
  try {
    addresses = await dns.lookup(host, { all: true, verbatim: true });
  } catch {
    throw refused(`the host ${host} does not resolve`);
  }
  const inner = addresses.find((a) => !isPublicAddress(a.address));
  if (addresses.length === 0 || inner) {
    throw refused(`the host ${host} resolves to a non-public address${inner ? ` (${inner.address})` : ''}`);
  }
  return url.toString();
}

/** Literal IP hosts skip DNS, so the sender checks them itself before connecting. */
export function literalHostRefused(url: URL, allowPrivate: boolean): string | null {
  const host = bareHost(url);
  if (allowPrivate || !ipaddr.isValid(host) || isPublicAddress(host)) return null;
  return `${host} is not a public address`;
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for http(s).request that refuses non-public answers: the address checked is the one
 * the socket connects to, so there is no window between check and use.
 */
export function guardedLookup(
  hostname: string,
  options: { all?: boolean; family?: number | string },
  callback: LookupCallback,
): void {
  dnsLookup(hostname, { ...options, all: true, verbatim: true } as { all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const inner = addresses.find((a) => !isPublicAddress(a.address));
    if (addresses.length === 0 || inner) {
      const error: NodeJS.ErrnoException = new Error(
        `${hostname} resolves to a non-public address${inner ? ` (${inner.address})` : ''}`,
      );
      error.code = 'ECUSTOS_PRIVATE_ADDRESS';
      return callback(error, []);
    }
    if (options.all) return callback(null, addresses);
    const first = addresses[0] as LookupAddress;
    callback(null, first.address, first.family);
  });
}
