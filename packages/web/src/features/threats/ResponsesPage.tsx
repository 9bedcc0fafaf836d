import type { ThreatResponseOut } from '@custos/shared';
import { Anchor, Button, Group, Stack, Switch, Table, Text, VisuallyHidden } from '@mantine/core';
import { IconBan, IconHandStop, IconLock } from '@tabler/icons-react';
import { useState } from 'react';
import { Link } from 'react-router';
import { PageHeader } from '../../ui/PageHeader';
import { RelativeTime } from '../../ui/RelativeTime';
import { EmptyState } from '../../ui/states';
import { DataTable, QueryBody, TableCard } from '../../ui/tables';
import { Require } from '../shell/RequirePermission';
import { useCan, useMe } from '../shell/session';
import { EmailOffNotice } from '../system/EmailOffNotice';
import { useListThreatResponsesQuery } from './api';
import { type ManualKind, ManualResponseModal } from './ManualResponseModal';
import { LiveIndicator } from './parts';
import {
  canLift,
  ExpiresLabel,
  ResponseKindLabel,
  ResponseStateBadge,
  ResponseSubject,
} from './responseParts';
import { useLiftResponse } from './useLiftResponse';
import { useSecurityStream } from './useSecurityStream';

function ResponsesTable({ responses, canManage }: { responses: ThreatResponseOut[]; canManage: boolean }) {
  const lifting = useLiftResponse();
  return (
    <>
      <DataTable
        label="Responses"
        minWidth={860}
        head={
          <>
            <Table.Th>Response</Table.Th>
            <Table.Th>Subject</Table.Th>
            <Table.Th>Security event</Table.Th>
            <Table.Th>Created</Table.Th>
            <Table.Th>Ends</Table.Th>
            <Table.Th>State</Table.Th>
            {canManage && (
              <Table.Th w={84}>
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            )}
          </>
        }
      >
        {responses.map((response) => (
          <Table.Tr key={response.id} data-response-id={response.id}>
            <Table.Td>
              <ResponseKindLabel response={response} />
            </Table.Td>
            <Table.Td>
              <ResponseSubject response={response} />
            </Table.Td>
            <Table.Td>
              {response.securityEventId ? (
                <Anchor
                  component={Link}
                  to={`/security/events/${encodeURIComponent(response.securityEventId)}`}
                  size="sm"
                >
                  View event
                </Anchor>
              ) : (
                <Text size="sm" c="dimmed">
                  Manual
                </Text>
              )}
            </Table.Td>
            <Table.Td>
              <RelativeTime iso={response.createdAt} />
            </Table.Td>
            <Table.Td>
              <ExpiresLabel response={response} />
            </Table.Td>
            <Table.Td>
              <ResponseStateBadge response={response} />
            </Table.Td>
            {canManage && (
              <Table.Td>
                {canLift(response) && (
                  <Button size="compact-sm" variant="light" color="red" onClick={() => lifting.ask(response)}>
                    Lift
                  </Button>
                )}
              </Table.Td>
            )}
          </Table.Tr>
        ))}
      </DataTable>
      {lifting.modal}
    </>
  );
}

function ResponsesList() {
  const canManage = useCan('security:manage');
  const [showAll, setShowAll] = useState(false);
  const query = useListThreatResponsesQuery({ state: showAll ? 'all' : 'active' });
  const stream = useSecurityStream();
  return (
    <TableCard>
      <Group px="lg" py="sm" justify="space-between">
        <Group gap={8}>
          <Text fw={600}>{showAll ? 'All responses' : 'Active responses'}</Text>
          {query.data && (
            <Text size="sm" c="dimmed" data-testid="response-count">
              ({query.data.length})
            </Text>
          )}
        </Group>
        <Group gap="md">
          <LiveIndicator status={stream.status} onRetry={stream.retry} />
          <Switch
            label="Show ended ones too"
            checked={showAll}
            onChange={(e) => setShowAll(e.currentTarget.checked)}
          />
        </Group>
      </Group>
      <QueryBody
        query={query}
        loadingLabel="Loading responses"
        what="the responses"
        empty={
          <EmptyState
            icon={<IconHandStop size={24} />}
            title={showAll ? 'No responses yet' : 'No response is in force'}
            description="When a detection matches a response rule, Custos locks the account, blocks the IP or asks the user to verify again (password or second factor), and the response appears here. You can also block an IP or lock an account by hand."
          />
        }
      >
        {(responses) => <ResponsesTable responses={responses} canManage={canManage} />}
      </QueryBody>
    </TableCard>
  );
}

/** `/security/responses`: locks, blocks and other responses in force; lift them, or add one by hand. */
export function ResponsesPage() {
  const me = useMe();
  const canManage = useCan('security:manage') && me.organization !== null;
  const [manual, setManual] = useState<ManualKind>();
  return (
    <>
      <PageHeader
        title="Responses"
        description="What Custos did about detections: accounts locked, IPs blocked, sessions ended, users asked to verify again, users told by e-mail. Locks and blocks end on their own, or when you lift them."
        actions={
          canManage ? (
            <>
              <Button
                variant="default"
                leftSection={<IconBan size={16} />}
                onClick={() => setManual('block_ip')}
              >
                Block an IP
              </Button>
              <Button
                variant="default"
                leftSection={<IconLock size={16} />}
                onClick={() => setManual('lock_account')}
              >
                Lock an account
              </Button>
            </>
          ) : undefined
        }
      />
      <Require organization permission="security:read">
        <Stack gap="lg">
          <EmailOffNotice keptInOutbox>
            “Notify the user” responses e-mail no one: each message is kept in the outbox until a super admin
            passes it on, and the response reads “Queued” (show ended ones to see them).
          </EmailOffNotice>
          <ResponsesList />
        </Stack>
      </Require>
      <ManualResponseModal kind={manual} onClose={() => setManual(undefined)} />
    </>
  );
}
