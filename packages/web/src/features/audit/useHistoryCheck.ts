import { useMe } from '../shell/session';
import { useVerifyAuditHistoryQuery } from './api';

/**
 * The history check of the current organization's log, for callers with audit:read (skipped for
 * others). The shell runs it on load; the audit pages pass `recheck` to run it again on a visit.
 */
export function useHistoryCheck({ recheck = false }: { recheck?: boolean } = {}) {
  const me = useMe();
  const organizationId = me.organization?.id;
  const canRead = organizationId !== undefined && me.permissions.includes('audit:read');
  return useVerifyAuditHistoryQuery(organizationId ?? '', {
    skip: !canRead,
    refetchOnMountOrArgChange: recheck ? 10 : false,
  });
}
