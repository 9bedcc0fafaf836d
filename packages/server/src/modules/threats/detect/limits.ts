/** Evidence items kept per key: a detection carries at most 20. */
export const EVIDENCE_KEPT = 20;
/** Entries kept per window or member set; counts saturate here (count thresholds stay at or below it). */
export const MAX_WINDOW_ENTRIES = 10_000;
