/**
 * Setup and invitation links carry their token in the URL fragment (`#token=…`), which browsers
 * never send to servers or put in Referer headers.
 */
export function tokenFromHash(hash: string): string | undefined {
  const token = new URLSearchParams(hash.replace(/^#/, '')).get('token');
  return token?.trim() || undefined;
}
