import { Paper } from '@mantine/core';
import { IconBuildingOff, IconLock } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { EmptyState } from '../../ui/states';
import { useMe } from './session';

interface RequireProps {
  children: ReactNode;
  /** A permission in the current organization. */
  permission?: string;
  superAdmin?: boolean;
  organization?: boolean;
}

/** Guards a page: explains what is missing instead of showing a broken page. */
export function Require({ children, permission, superAdmin, organization }: RequireProps) {
  const me = useMe();
  if (organization && !me.organization) {
    return (
      <Paper withBorder>
        <EmptyState
          icon={<IconBuildingOff size={24} />}
          title="No organization selected"
          description="This page belongs to an organization. You are not signed in to one; pick one in the organization switcher."
        />
      </Paper>
    );
  }
  const allowed =
    (!superAdmin || me.user.isSuperAdmin) && (!permission || me.permissions.includes(permission));
  if (!allowed) {
    return (
      <Paper withBorder>
        <EmptyState
          icon={<IconLock size={24} />}
          title="You don't have access to this page"
          description={
            superAdmin
              ? 'Only platform administrators can open this page.'
              : `Your roles in ${me.organization?.name ?? 'this organization'} do not include the permission “${permission}”. Ask an owner or admin.`
          }
        />
      </Paper>
    );
  }
  return children;
}
