import type { ApiError } from '../../app/errors';

/** "5 January 2027" (in the reader's language): the calendar day a YYYY-MM-DD date names, unshifted. */
export function formatDayInWords(date: string): string {
  const ms = Date.parse(`${date}T12:00:00Z`);
  if (Number.isNaN(ms)) return date;
  return new Intl.DateTimeFormat(undefined, {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(ms));
}

/** What the code step says about a refused code: the server's message says what to do next. */
export function codeProblem(error: ApiError | undefined): { message: string; startOver: boolean } | null {
  if (!error) return null;
  const reason =
    typeof error.details === 'object' && error.details !== null
      ? (error.details as { reason?: unknown }).reason
      : undefined;
  if (error.code === 'PRIVACY_PUBLIC_CODE_INVALID') {
    return { message: error.message, startOver: reason !== 'wrong' };
  }
  return { message: error.message, startOver: false };
}
