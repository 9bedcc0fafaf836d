/** The audit trail: ingestion (idempotency keys), search, proofs, saved searches and erasure subjects. */
export const AUDIT_ERROR_CODES = [
  'IDEMPOTENCY_KEY_INVALID',
  'IDEMPOTENCY_KEY_REUSED',
  'AUDIT_EVENT_NOT_FOUND',
  'AUDIT_TREE_SIZE_INVALID',
  'AUDIT_FILTER_INVALID',
  'AUDIT_LOG_TAMPERED',
  'SAVED_SEARCH_NOT_FOUND',
  'SUBJECT_NOT_FOUND',
] as const;
