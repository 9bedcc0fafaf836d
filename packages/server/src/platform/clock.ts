/** The current time as RFC 3339 UTC text with milliseconds: the one timestamp form stored. */
export function nowIso(): string {
  return new Date().toISOString();
}

export function isoAfter(ms: number, from: Date = new Date()): string {
  return new Date(from.getTime() + ms).toISOString();
}
