import { CustosApiError, type ErrorCode } from '@custos/sdk';

/** Codes the console gives failures that never got an answer from the server (status 0). */
export type ConsoleErrorCode =
  | 'NETWORK_ERROR'
  | 'UNKNOWN'
  | 'PASSKEY_CANCELLED'
  | 'PASSKEY_ALREADY_REGISTERED'
  | 'PASSKEY_UNAVAILABLE'
  | 'NOTHING_TO_FORGET'
  | 'STORAGE_UNAVAILABLE';

/** A serializable form of `CustosApiError`, kept in the Redux store. */
export interface ApiError {
  status: number;
  code: ErrorCode | ConsoleErrorCode;
  message: string;
  details?: unknown;
}

export function isApiError(value: unknown): value is ApiError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { status?: unknown }).status === 'number' &&
    typeof (value as { code?: unknown }).code === 'string' &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}

export function toApiError(error: unknown): ApiError {
  if (error instanceof CustosApiError) {
    return { status: error.status, code: error.code, message: error.message, details: error.details };
  }
  if (isApiError(error)) return error;
  if (error instanceof TypeError) {
    return {
      status: 0,
      code: 'NETWORK_ERROR',
      message: 'Cannot reach the Custos server. Check your connection.',
    };
  }
  const message = error instanceof Error ? error.message : 'Something went wrong.';
  return { status: 0, code: 'UNKNOWN', message };
}

interface ValidationIssue {
  path: string;
  message: string;
}

function validationIssues(error: ApiError): ValidationIssue[] {
  if (error.code !== 'VALIDATION_FAILED' || !Array.isArray(error.details)) return [];
  return error.details.filter(
    (d): d is ValidationIssue =>
      typeof d === 'object' &&
      d !== null &&
      typeof (d as { path?: unknown }).path === 'string' &&
      typeof (d as { message?: unknown }).message === 'string',
  );
}

export interface FormErrors {
  /** Messages to show beside the named fields. */
  fields: Record<string, string>;
  /** Validation messages that belong to no field on the form. */
  other: string[];
}

/** Error codes that concern a single form field, mapped to that field. */
export type CodeFields = Partial<Record<ApiError['code'], string>>;

/**
 * Splits an API error into per-field messages for a form with the given fields. `codeFields` maps
 * error codes that concern a single field (e.g. `PASSWORD_TOO_SHORT` → `password`) to that field.
 */
export function formErrors(
  error: ApiError | undefined,
  fieldNames: readonly string[],
  codeFields: CodeFields = {},
): FormErrors {
  const result: FormErrors = { fields: {}, other: [] };
  if (!error) return result;
  for (const issue of validationIssues(error)) {
    const field = fieldNames.find((name) => issue.path === name || issue.path.startsWith(`${name}.`));
    if (field && !result.fields[field]) result.fields[field] = issue.message;
    else if (!field) result.other.push(issue.path ? `${issue.path}: ${issue.message}` : issue.message);
  }
  const codeField = codeFields[error.code];
  if (codeField) result.fields[codeField] = withMissing(error);
  return result;
}

/** Appends the `details.missing` list some refusals carry (e.g. permissions the caller lacks). */
export function withMissing(error: ApiError): string {
  const missing =
    typeof error.details === 'object' && error.details !== null
      ? (error.details as { missing?: unknown }).missing
      : undefined;
  if (!Array.isArray(missing) || missing.length === 0) return error.message;
  return `${error.message} (${missing.map(String).join(', ')})`;
}

/** Normalizes the `error` of an RTK Query hook (API error or serialized JS error). */
export function hookError(error: unknown): ApiError | undefined {
  if (error === undefined || error === null) return undefined;
  return toApiError(error);
}
