import { AppError, badRequest, conflict } from '../http/errors';

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
  // Text PostgreSQL cannot store (NUL bytes, invalid escapes) that slipped past validation.
  if (code === '22021' || code === '22P05' || code === '22P02') {
    return badRequest('VALIDATION_FAILED', 'The request contains characters that cannot be stored.');
  }
  return error;
}
