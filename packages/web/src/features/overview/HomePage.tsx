import { lazy, Suspense } from 'react';
import { OverviewPage } from '../shell/OverviewPage';
import { useMe } from '../shell/session';
import { DashboardSkeleton } from './DashboardSkeleton';
import { OverviewHeader } from './OverviewHeader';

// The dashboard brings the charts (recharts); only callers who see it load them.
const SecurityDashboard = lazy(async () => ({
  default: (await import('./SecurityDashboard')).SecurityDashboard,
}));

/**
 * `/`: the security overview for callers holding security:read in the current organization; the
 * plain welcome page (organization, roles, shortcuts) for everyone else.
 */
export function HomePage() {
  const me = useMe();
  const seesSecurity = me.organization !== null && me.permissions.includes('security:read');
  if (!seesSecurity) return <OverviewPage />;
  return (
    <Suspense
      fallback={
        <>
          <OverviewHeader />
          <DashboardSkeleton />
        </>
      }
    >
      <SecurityDashboard />
    </Suspense>
  );
}
