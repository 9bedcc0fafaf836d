import { Badge, Button, Table, Text } from '@mantine/core';
import { IconBuildingSkyscraper, IconPlus } from '@tabler/icons-react';
import { useState } from 'react';
import { formatCount, formatDate } from '../../app/format';
import { PageHeader } from '../../ui/PageHeader';
import { EmptyState } from '../../ui/states';
import { DataTable, QueryBody, TableCard } from '../../ui/tables';
import { useDisplayTimeZone } from '../../ui/timeZone';
import { InviteLinkModal } from '../members/InviteLinkModal';
import { Require } from '../shell/RequirePermission';
import { useMe } from '../shell/session';
import { useListOrganizationsQuery } from './api';
import { CreateOrganizationModal } from './CreateOrganizationModal';

function OrganizationsCard() {
  useDisplayTimeZone();
  const me = useMe();
  return (
    <TableCard>
      <QueryBody
        query={useListOrganizationsQuery()}
        loadingLabel="Loading organizations"
        what="the organizations"
        empty={<EmptyState icon={<IconBuildingSkyscraper size={24} />} title="No organizations yet" />}
      >
        {(organizations) => (
          <DataTable
            label="Organizations"
            minWidth={560}
            head={
              <>
                <Table.Th>Name</Table.Th>
                <Table.Th>Short name</Table.Th>
                <Table.Th ta="right">Members</Table.Th>
                <Table.Th>Created</Table.Th>
              </>
            }
          >
            {organizations.map((organization) => (
              <Table.Tr key={organization.id}>
                <Table.Td>
                  <Text size="sm" fw={500} span>
                    {organization.name}
                  </Text>{' '}
                  {organization.id === me.organization?.id && (
                    <Badge size="xs" variant="light">
                      Current
                    </Badge>
                  )}
                </Table.Td>
                <Table.Td>
                  <Text size="sm" className="custos-mono">
                    {organization.slug}
                  </Text>
                </Table.Td>
                <Table.Td ta="right">
                  <Text size="sm">{formatCount(organization.memberCount)}</Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{formatDate(organization.createdAt)}</Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </DataTable>
        )}
      </QueryBody>
    </TableCard>
  );
}

export function OrganizationsPage() {
  const me = useMe();
  const [creating, setCreating] = useState(false);
  const [inviteLink, setInviteLink] = useState<{ url: string; email: string }>();

  return (
    <>
      <PageHeader
        title="Organizations"
        description="Every organization on this Custos installation. Only platform administrators see this page."
        actions={
          me.user.isSuperAdmin ? (
            <Button leftSection={<IconPlus size={18} />} onClick={() => setCreating(true)}>
              Create organization
            </Button>
          ) : undefined
        }
      />
      <Require superAdmin>
        <OrganizationsCard />
      </Require>
      <CreateOrganizationModal
        opened={creating}
        onClose={() => setCreating(false)}
        onInviteLink={setInviteLink}
      />
      <InviteLinkModal invite={inviteLink} onClose={() => setInviteLink(undefined)} />
    </>
  );
}
