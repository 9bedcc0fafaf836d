export { type ChangesOptions, changesBetween } from './changes';
export type { CommittedAuditEvent } from './committed';
export { registerDenialAudit } from './denials';
export type { AuditActor, AuditChanges, AuditEventBody, AuditTarget } from './event';
export { type AuditModule, createAuditModule, loadKeyring } from './module';
export { type AuditRecorder, type AuditRecordInput, createAuditRecorder, PLATFORM_LOG } from './recorder';
export { createSubjectData, SUBJECT_EVENTS_LIMIT, type SubjectData } from './subject-data';
export { tailRoutes } from './tail';
