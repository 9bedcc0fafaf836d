/** JSON columns arrive as text from SQLite and parsed from PostgreSQL jsonb; this reads both. */
export function parseJson<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

/** Value to write into a JSON column (both drivers accept JSON text). */
export function toJson(value: unknown): string {
  return JSON.stringify(value);
}

/** A JSON column: text on SQLite, jsonb on PostgreSQL (read it with `parseJson`). */
export type JsonColumn = string | object;
