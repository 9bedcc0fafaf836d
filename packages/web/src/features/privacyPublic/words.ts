import type { RequestType } from '@custos/shared';
import type { ApiError } from '../../app/errors';

/**
 * Each kind of request as the person making it reads it: in their words, without article numbers
 * (the taxonomy's descriptions are written for the organization's staff).
 */
export const REQUEST_TYPE_FOR_PERSON: Record<RequestType, string> = {
  access: 'Find out whether they hold data about you, and get a copy of it with what they use it for.',
  portability: 'Get the data you gave them in a file another service can read.',
  erasure: 'Have your data deleted, where the law gives them no reason to keep it.',
  rectification: 'Have wrong or incomplete data about you corrected.',
  restriction: 'Have them keep your data but stop using it, for example while you dispute it.',
  objection: 'Ask them to stop using your data, for example for marketing.',
};

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
