import { useMe } from '../shell/session';
import { useGetAuditIntegrityQuery } from './api';

/** How often an open console asks the server to check the log again. */
export const INTEGRITY_POLL_MS = 60_000;

/**
 * The server's integrity check of the current organization's log, for callers with audit:read
 * (skipped for others): polled every minute and on focus; the audit pages pass `recheck` to ask
 * again on a visit.
 */
export function useAuditIntegrity({ recheck = false }: { recheck?: boolean } = {}) {
  const me = useMe();
  const organizationId = me.organization?.id;
  const canRead = organizationId !== undefined && me.permissions.includes('audit:read');
  return useGetAuditIntegrityQuery(organizationId ?? '', {
    skip: !canRead,
    pollingInterval: INTEGRITY_POLL_MS,
    skipPollingIfUnfocused: true,
    refetchOnFocus: true,
    refetchOnMountOrArgChange: recheck ? 10 : false,
  });
}
