export type { AuditActor, AuditChanges, AuditEvent, AuditTarget } from './event';
export { type AuditRecordInput, PLATFORM_LOG, record } from './service';
export { listEvents } from './store';
