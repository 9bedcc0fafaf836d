import type { SessionOut } from '@custos/shared';
import { Button, Group, Select, Stack } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconDevices, IconLogout, IconUserX } from '@tabler/icons-react';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { hookError } from '../../app/errors';
import { ConfirmModal } from '../../ui/ConfirmModal';
import { PageHeader } from '../../ui/PageHeader';
import { EmptyState } from '../../ui/states';
import { QueryBody, TableCard } from '../../ui/tables';
import { useConfirmAction } from '../../ui/useConfirmAction';
import { useListMembersQuery } from '../members/api';
import { Require } from '../shell/RequirePermission';
import { useCan, useMe } from '../shell/session';
import { useListSessionsQuery, useRevokeSessionMutation, useRevokeSessionsMutation } from './api';
import { SessionsTable } from './SessionsTable';

/** Whose sessions to end in bulk: one member, or everyone but the caller. */
type BulkTarget = { userId: string; name: string } | { everyone: true };

function endedMessage(revoked: number): string {
  return revoked === 0 ? 'No session needed ending' : `${revoked} session${revoked === 1 ? '' : 's'} ended`;
}

function MemberFilter({
  userId,
  onChange,
}: {
  userId: string | undefined;
  onChange: (id: string | null) => void;
}) {
  const canReadMembers = useCan('members:read');
  const { data: members = [], isLoading } = useListMembersQuery(undefined, { skip: !canReadMembers });
  if (!canReadMembers) return null;
  return (
    <Select
      aria-label="Filter by member"
      placeholder="All members"
      data={members.map((m) => ({ value: m.userId, label: `${m.name} · ${m.email}` }))}
      value={userId ?? null}
      onChange={onChange}
      disabled={isLoading}
      searchable
      clearable
      w={{ base: '100%', sm: 380 }}
      comboboxProps={{ withinPortal: true }}
    />
  );
}

function SessionsCard() {
  const canRevoke = useCan('sessions:revoke');
  const [params, setParams] = useSearchParams();
  const userId = params.get('userId') ?? undefined;
  const query = useListSessionsQuery({ userId });
  const [revoke, revocation] = useRevokeSessionMutation();
  const [revokeMany, bulk] = useRevokeSessionsMutation();
  const [bulkTarget, setBulkTarget] = useState<BulkTarget>();
  const ending = useConfirmAction(
    (session: SessionOut) => revoke(session.id),
    revocation,
    (session) => notifications.show({ color: 'teal', message: `${session.userName}'s session was ended` }),
  );
  const filteredName = userId ? query.data?.find((s) => s.userId === userId)?.userName : undefined;

  async function endBulk() {
    if (!bulkTarget) return;
    const result = await revokeMany('everyone' in bulkTarget ? {} : { userId: bulkTarget.userId });
    if ('data' in result && result.data) {
      notifications.show({ color: 'teal', message: endedMessage(result.data.revoked) });
      setBulkTarget(undefined);
    }
  }

  return (
    <Stack gap="md">
      <Group justify="space-between" wrap="wrap">
        <MemberFilter
          userId={userId}
          onChange={(id) => setParams(id ? { userId: id } : {}, { replace: true })}
        />
        {canRevoke && (
          <Group gap="xs">
            {userId && filteredName && (
              <Button
                variant="default"
                color="red"
                leftSection={<IconUserX size={16} />}
                onClick={() => setBulkTarget({ userId, name: filteredName })}
              >
                End all of {filteredName}'s sessions
              </Button>
            )}
            <Button
              color="red"
              variant="light"
              leftSection={<IconLogout size={16} />}
              onClick={() => setBulkTarget({ everyone: true })}
            >
              Sign everyone out
            </Button>
          </Group>
        )}
      </Group>
      <TableCard>
        <QueryBody
          query={query}
          loadingLabel="Loading sessions"
          what="the sessions"
          empty={
            <EmptyState
              icon={<IconDevices size={24} />}
              title={userId ? 'This member is not signed in anywhere' : 'Nobody is signed in'}
            />
          }
        >
          {(sessions) => (
            <SessionsTable
              sessions={sessions}
              canRevoke={canRevoke}
              onEnd={ending.ask}
              onEndAllOf={(s) => setBulkTarget({ userId: s.userId, name: s.userName })}
            />
          )}
        </QueryBody>
      </TableCard>
      <ConfirmModal title="End session" confirmLabel="End session" {...ending.modal}>
        {ending.target
          ? `${ending.target.userName} is signed out on ${ending.target.device ?? 'that device'} at their next request.`
          : ''}
      </ConfirmModal>
      <ConfirmModal
        opened={bulkTarget !== undefined}
        title={bulkTarget && 'everyone' in bulkTarget ? 'Sign everyone out' : 'End all sessions of a member'}
        confirmLabel={bulkTarget && 'everyone' in bulkTarget ? 'Sign everyone out' : 'End their sessions'}
        loading={bulk.isLoading}
        error={hookError(bulk.error)}
        onConfirm={endBulk}
        onClose={() => {
          setBulkTarget(undefined);
          bulk.reset();
        }}
      >
        {bulkTarget && 'everyone' in bulkTarget
          ? 'Every session in this organization ends except yours: everyone else must sign in again. API keys keep working.'
          : bulkTarget
            ? `${bulkTarget.name} is signed out everywhere in this organization and must sign in again.`
            : ''}
      </ConfirmModal>
    </Stack>
  );
}

export function SessionsPage() {
  const me = useMe();
  return (
    <>
      <PageHeader
        title="Sessions"
        description={`Who is signed in to ${me.organization?.name ?? 'this organization'}, from where, and since when. Ending a session signs that person out at their next request.`}
      />
      <Require organization permission="sessions:read">
        <SessionsCard />
      </Require>
    </>
  );
}
