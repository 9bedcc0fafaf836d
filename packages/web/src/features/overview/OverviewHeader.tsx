import type { ReactNode } from 'react';
import { PageHeader } from '../../ui/PageHeader';
import { firstName } from '../shell/OverviewPage';
import { useMe } from '../shell/session';

/** The dashboard's title; it greets the caller, as the plain home page does. */
export function OverviewHeader({ actions }: { actions?: ReactNode }) {
  const me = useMe();
  return (
    <PageHeader
      title={`Welcome, ${firstName(me.user.name)}`}
      description={`Security at a glance for ${me.organization?.name ?? 'this organization'}: the threat level, the score and what would raise it, and security events as they happen.`}
      actions={actions}
    />
  );
}
