import { createHash } from 'node:crypto';
import { parse } from 'bowser';

/** Raw request header values: user-agent, accept-language, sec-ch-ua, sec-ch-ua-platform, sec-ch-ua-mobile. */
export interface DeviceHeaders {
  userAgent: string | null;
  acceptLanguage: string | null;
  chUa: string | null;
  chUaPlatform: string | null;
  chUaMobile: string | null;
}

export interface DeviceInfo {
  /** Hex SHA-256 of browser family, OS family, mobile flag and primary language. */
  fingerprint: string;
  /** For people: "Chrome on macOS", "Unknown browser on Unknown OS". */
  label: string;
  browser: string | null;
  platform: string | null;
  mobile: boolean;
}

/**
 * Recognizes "the same device" across sessions. Only stable, coarse traits go into the fingerprint:
 * no versions (a browser update must not look like a new device) and nothing identifying on its own.
 * It is a hint for "new device" notices, not an authenticator: every input is client-written.
 */
export function deviceInfo(input: DeviceHeaders): DeviceInfo {
  const ua = input.userAgent?.trim() ?? '';
  // bowser throws on an empty user agent; no user agent simply means nothing is known.
  const parsed = ua ? parse(ua) : null;
  const browser = brandFromHints(input.chUa) ?? (parsed?.browser.name || null);
  const platform = platformFromHint(input.chUaPlatform) ?? (parsed?.os.name || null);
  // A tablet counts as not mobile, as in sec-ch-ua-mobile (which asks for the mobile layout).
  const mobile = mobileFromHint(input.chUaMobile) ?? parsed?.platform.type === 'mobile';
  const language = primaryLanguage(input.acceptLanguage);
  // Versioned so a change of the tuple later is a deliberate, visible break.
  const fingerprint = createHash('sha256')
    .update(JSON.stringify(['device-v1', browser, platform, mobile, language]))
    .digest('hex');
  return {
    fingerprint,
    label: `${browser ?? 'Unknown browser'} on ${platform ?? 'Unknown OS'}`,
    browser,
    platform,
    mobile,
  };
}

const MAX_HEADER_LENGTH = 512;

/** Picks the device headers from Fastify request headers, bounded so a client cannot bloat a row. */
export function deviceHeaders(headers: Record<string, string | string[] | undefined>): DeviceHeaders {
  const pick = (name: string): string | null => {
    const value = headers[name];
    // Repeated list headers mean the same as one joined with commas (RFC 9110, section 5.3).
    const text = Array.isArray(value) ? value.join(', ') : value;
    return text === undefined ? null : text.slice(0, MAX_HEADER_LENGTH);
  };
  return {
    userAgent: pick('user-agent'),
    acceptLanguage: pick('accept-language'),
    chUa: pick('sec-ch-ua'),
    chUaPlatform: pick('sec-ch-ua-platform'),
    chUaMobile: pick('sec-ch-ua-mobile'),
  };
}

// Brand names in sec-ch-ua, mapped to what bowser calls the same browser, so a client that sends
// hints on one request and not on another still gets one fingerprint.
const PREFERRED_BRANDS = new Map([
  ['Google Chrome', 'Chrome'],
  ['Microsoft Edge', 'Microsoft Edge'],
  ['Brave', 'Brave'],
  ['Opera', 'Opera'],
]);

/** The browser named by sec-ch-ua (`"Google Chrome";v="131", "Chromium";v="131", "Not_A Brand";v="24"`). */
function brandFromHints(chUa: string | null): string | null {
  if (!chUa) return null;
  const brands = [...chUa.matchAll(/"([^"]*)"\s*;\s*v\s*=\s*"[^"]*"/g)]
    .map((m) => (m[1] ?? '').trim())
    // GREASE brands ("Not A;Brand", "Not/A)Brand", "Not_A Brand") exist to be ignored.
    // A brand longer than any real one is not worth showing in a label.
    .filter((b) => b && b.length <= 64 && !/not.?a.?brand/i.test(b));
  for (const b of brands) {
    const name = PREFERRED_BRANDS.get(b);
    if (name) return name;
  }
  // "Chromium" is the engine every Chromium browser lists; a more specific brand wins.
  return brands.find((b) => b !== 'Chromium') ?? brands[0] ?? null;
}

/** sec-ch-ua-platform is a quoted string (`"macOS"`); "Unknown" tells nothing. */
function platformFromHint(hint: string | null): string | null {
  const value = hint
    ?.trim()
    .replace(/^"(.*)"$/, '$1')
    .trim();
  if (!value || value === 'Unknown') return null;
  // bowser calls it "Chrome OS"; one name keeps hinted and unhinted requests on one fingerprint.
  return value === 'Chromium OS' ? 'Chrome OS' : value;
}

/** sec-ch-ua-mobile is a structured-field boolean: "?1" or "?0". */
function mobileFromHint(hint: string | null): boolean | null {
  const value = hint?.trim();
  return value === '?1' ? true : value === '?0' ? false : null;
}

/** First tag of accept-language, lower-cased ("en-US,en;q=0.9" → "en-us"); junk and "*" → null. */
function primaryLanguage(header: string | null): string | null {
  const tag = header?.split(',')[0]?.split(';')[0]?.trim().toLowerCase();
  return tag && /^[a-z]{1,8}(-[a-z0-9]{1,8})*$/.test(tag) ? tag : null;
}
