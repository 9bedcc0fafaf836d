import { Button, Stack } from '@mantine/core';
import { IconUserPlus } from '@tabler/icons-react';
import { useState } from 'react';
import { PageHeader } from '../../ui/PageHeader';
import { Require } from '../shell/RequirePermission';
import { useCan, useMe } from '../shell/session';
import { InvitationsTable } from './InvitationsTable';
import { type InviteLink, InviteLinkModal } from './InviteLinkModal';
import { InviteMemberModal } from './InviteMemberModal';
import { MembersTable } from './MembersTable';

export function MembersPage() {
  const me = useMe();
  const canInvite = useCan('members:invite');
  const [inviting, setInviting] = useState(false);
  const [inviteLink, setInviteLink] = useState<InviteLink>();

  return (
    <>
      <PageHeader
        title="Members"
        description={`People who can sign in to ${me.organization?.name ?? 'this organization'}, and what their roles allow.`}
        actions={
          canInvite && me.organization ? (
            <Button leftSection={<IconUserPlus size={18} />} onClick={() => setInviting(true)}>
              Invite member
            </Button>
          ) : undefined
        }
      />
      <Require organization permission="members:read">
        <Stack gap="lg">
          <MembersTable />
          <InvitationsTable onInviteLink={setInviteLink} />
        </Stack>
      </Require>
      <InviteMemberModal opened={inviting} onClose={() => setInviting(false)} onInviteLink={setInviteLink} />
      <InviteLinkModal invite={inviteLink} onClose={() => setInviteLink(undefined)} />
    </>
  );
}
