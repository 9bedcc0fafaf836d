import type { AuditChanges } from './event';

export interface ChangesOptions<K extends string> {
  /** The fields to compare, in the order the changes list them (default: every key of `after`). */
  keys?: readonly K[];
  /** Put before each field name, e.g. `detectors.` for the fields of a nested object. */
  prefix?: string;
}

/**
 * The audit `changes` between two snapshots: field → [before, after] for each compared field whose
 * JSON differs. JSON rather than `===` so that arrays and nested objects compare by value, as the
 * reader of the audit trail sees them.
 */
export function changesBetween<T extends object>(
  before: Partial<T>,
  after: T,
  {
    keys = Object.keys(after) as Extract<keyof T, string>[],
    prefix = '',
  }: ChangesOptions<Extract<keyof T, string>> = {},
): AuditChanges {
  const changes: AuditChanges = {};
  for (const key of keys) {
    const was: unknown = before[key];
    const now: unknown = after[key];
    if (JSON.stringify(was) !== JSON.stringify(now)) changes[`${prefix}${key}`] = [was, now];
  }
  return changes;
}
