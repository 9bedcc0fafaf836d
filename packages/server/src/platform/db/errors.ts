import { AppError, badRequest, conflict, serviceUnavailable } from '../http/errors';

interface DriverError {
  code?: unknown;
  constraint?: unknown;
  message?: unknown;
}

/** True for a unique or primary-key violation on either database. */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code } = error as DriverError;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** True when PostgreSQL cancelled the statement: its statement_timeout ran out (57014 query_canceled). */
export function isQueryTimeout(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as DriverError).code === '57014';
}

/** Maps driver errors (SQLite, PostgreSQL) to typed errors; anything else passes through. */
export function mapDatabaseError(error: unknown): unknown {
  if (error instanceof AppError || typeof error !== 'object' || error === null) return error;
  const { code } = error as DriverError;
  if (isUniqueViolation(error)) {
    return conflict('CONFLICT', 'That already exists.');
  }
  if (code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
    return conflict('CONFLICT', 'A record this refers to does not exist or is still in use.');
  }
  // The caller's filters made the database work too long (statement_timeout): theirs to narrow, not a crash.
  if (isQueryTimeout(error)) {
    return serviceUnavailable(
      'QUERY_TIMEOUT',
      'The database took too long to answer and the query was stopped. Narrow the search (a shorter time range or more filters) and try again.',
    );
  }
  // Text PostgreSQL cannot store (NUL bytes, invalid escapes) that slipped past validation.
  if (code === '22021' || code === '22P05' || code === '22P02') {
    return badRequest('VALIDATION_FAILED', 'The request contains characters that cannot be stored.');
  }
  return error;
}
