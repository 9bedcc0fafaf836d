import { Anchor } from '@mantine/core';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { EmailOffBanner } from '../../ui/EmailOffBanner';
import { useMe } from '../shell/session';
import { useEmailOff } from './api';

export const OUTBOX_PATH = '/admin/outbox';

interface EmailOffNoticeProps {
  /** What happens here instead of an e-mail. */
  children: ReactNode;
  /** The messages of this page wait in the outbox: link to it for those who can read it (super admins). */
  keptInOutbox?: boolean;
  compact?: boolean;
}

/** The e-mail-off banner, only while the server says e-mail is not configured. */
export function EmailOffNotice({ children, keptInOutbox = false, compact = false }: EmailOffNoticeProps) {
  const emailOff = useEmailOff();
  const me = useMe();
  if (!emailOff) return null;
  const action =
    keptInOutbox && me.user.isSuperAdmin ? (
      <Anchor
        component={Link}
        to={OUTBOX_PATH}
        size="sm"
        fw={600}
        c="var(--mantine-color-text)"
        underline="always"
      >
        Open the outbox
      </Anchor>
    ) : undefined;
  return (
    <EmailOffBanner action={action} compact={compact}>
      {children}
    </EmailOffBanner>
  );
}
