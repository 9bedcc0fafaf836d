import type {
  AuditBatchResult as AuditBatchResultSchema,
  AuditCheckpointList as AuditCheckpointListSchema,
  AuditCheckpointOut as AuditCheckpointOutSchema,
  AuditEventOut,
  AuditKeysOut as AuditKeysOutSchema,
  AuditReceiptResult as AuditReceiptResultSchema,
  AuditSearchQuery,
  AuditSearchResult as AuditSearchResultSchema,
  AuditSettingsBody as AuditSettingsBodySchema,
  AuditSettingsOut as AuditSettingsOutSchema,
  ConsistencyProofOut as ConsistencyProofOutSchema,
  EraseSubjectResult as EraseSubjectResultSchema,
  InclusionProofOut as InclusionProofOutSchema,
  SavedSearchBody as SavedSearchBodySchema,
  SavedSearchOut as SavedSearchOutSchema,
} from '@custos/shared';

/**
 * `@custos/shared` exports the audit contracts as zod schemas, most without a type alias; these
 * read the output type off a schema (what `z.infer` does) so the SDK need not depend on zod itself.
 */
type Output<Schema> = Schema extends { _zod: { output: infer T } } ? T : never;

export type AuditSearchResult = Output<typeof AuditSearchResultSchema>;
export type AuditReceiptResult = Output<typeof AuditReceiptResultSchema>;
export type AuditBatchResult = Output<typeof AuditBatchResultSchema>;
export type AuditCheckpointOut = Output<typeof AuditCheckpointOutSchema>;
export type AuditCheckpointList = Output<typeof AuditCheckpointListSchema>;
export type InclusionProofOut = Output<typeof InclusionProofOutSchema>;
export type ConsistencyProofOut = Output<typeof ConsistencyProofOutSchema>;
export type AuditKeysOut = Output<typeof AuditKeysOutSchema>;
export type SavedSearchOut = Output<typeof SavedSearchOutSchema>;
export type SavedSearchBody = Output<typeof SavedSearchBodySchema>;
export type AuditSettingsOut = Output<typeof AuditSettingsOutSchema>;
export type AuditSettingsBody = Output<typeof AuditSettingsBodySchema>;
export type EraseSubjectResult = Output<typeof EraseSubjectResultSchema>;

/** One event with its inclusion proof against the latest signed checkpoint. */
export interface AuditEventWithProof {
  event: AuditEventOut;
  proof: InclusionProofOut;
}

/** A search page request: the filters plus the keyset cursor and page size. */
export interface AuditSearchParams extends AuditSearchQuery {
  /** `nextCursor` of the previous page: events with a lower seq. */
  before?: number;
  /** 1–500, default 50. */
  limit?: number;
}

export type AuditExportFormat = 'jsonl' | 'csv';

/** The response header of an export that says how many events the file will hold. */
export const EXPORT_COUNT_HEADER = 'x-custos-export-events';
