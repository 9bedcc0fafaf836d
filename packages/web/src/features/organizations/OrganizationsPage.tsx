import { Badge, Button, Card, Table, Text } from '@mantine/core';
import { IconBuildingSkyscraper, IconPlus } from '@tabler/icons-react';
import { type ReactNode, useState } from 'react';
import { hookError } from '../../app/errors';
import { formatDate } from '../../app/format';
import { PageHeader } from '../../ui/PageHeader';
import { EmptyState, LoadError, SectionLoader } from '../../ui/states';
import { InviteLinkModal } from '../members/InviteLinkModal';
import { Require } from '../shell/RequirePermission';
import { useMe } from '../shell/session';
import { useListOrganizationsQuery } from './api';
import { CreateOrganizationModal } from './CreateOrganizationModal';

function OrganizationsCard() {
  const me = useMe();
  const { data: organizations, error, isLoading, refetch } = useListOrganizationsQuery();

  let body: ReactNode;
  if (isLoading) body = <SectionLoader label="Loading organizations" />;
  else if (!organizations)
    body = <LoadError error={hookError(error)} what="the organizations" onRetry={refetch} />;
  else if (organizations.length === 0)
    body = <EmptyState icon={<IconBuildingSkyscraper size={24} />} title="No organizations yet" />;
  else
    body = (
      <Table.ScrollContainer minWidth={560}>
        <Table aria-label="Organizations">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Slug</Table.Th>
              <Table.Th ta="right">Members</Table.Th>
              <Table.Th>Created</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
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
                  <Text size="sm">{organization.memberCount}</Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{formatDate(organization.createdAt)}</Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    );

  return (
    <Card withBorder padding={0} radius="md">
      {body}
    </Card>
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
        description="Every tenant on this Custos installation. Only platform administrators see this page."
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
