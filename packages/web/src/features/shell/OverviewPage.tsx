import { Anchor, Badge, Button, Card, Group, SimpleGrid, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import {
  IconArrowRight,
  IconBuildingOff,
  IconKey,
  IconSettings,
  IconUserCircle,
  IconUserPlus,
} from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { formatDate } from '../../app/format';
import { EmptyState } from '../../ui/states';
import { RoleBadges } from '../members/RoleBadges';
import { useMe } from './session';

interface QuickLink {
  to: string;
  title: string;
  description: string;
  icon: ReactNode;
  /** Shown only with this permission; none means everyone. */
  permission?: string;
}

const QUICK_LINKS: QuickLink[] = [
  {
    to: '/members',
    title: 'Invite your team',
    description: 'Add admins, security analysts, auditors and privacy officers with the roles they need.',
    icon: <IconUserPlus size={20} />,
    permission: 'members:invite',
  },
  {
    to: '/api-keys',
    title: 'Connect your product',
    description: 'Create a scoped API key so your application can send audit events and check access.',
    icon: <IconKey size={20} />,
    permission: 'apikeys:manage',
  },
  {
    to: '/settings',
    title: 'Organization settings',
    description: 'Rename the organization and review how it is set up.',
    icon: <IconSettings size={20} />,
    permission: 'organization:manage',
  },
  {
    to: '/profile',
    title: 'Your account',
    description: 'Keep your name current and your password long and unique.',
    icon: <IconUserCircle size={20} />,
  },
];

/** "Ada" of "Ada Lovelace": how the home page greets the caller. */
export function firstName(name: string): string {
  return name.trim().split(/\s+/)[0] ?? name;
}

export function OverviewPage() {
  const me = useMe();
  const organization = me.organization;
  const links = QUICK_LINKS.filter((link) => !link.permission || me.permissions.includes(link.permission));

  return (
    <Stack gap="lg">
      <Stack gap={4}>
        <Title order={1} size="h2">
          Welcome, {firstName(me.user.name)}
        </Title>
        <Text c="dimmed" size="sm">
          {organization
            ? `You are signed in to ${organization.name}.`
            : 'You are signed in, but not to an organization.'}
        </Text>
      </Stack>

      {organization ? (
        <Card withBorder padding="lg" radius="md">
          <Group justify="space-between" align="flex-start" wrap="wrap" gap="md">
            <Stack gap={6}>
              <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
                Organization
              </Text>
              <Title order={3} data-testid="overview-organization">
                {organization.name}
              </Title>
              <Group gap={6}>
                <Badge variant="outline" color="gray" tt="none" radius="sm" className="custos-mono">
                  {organization.slug}
                </Badge>
                <Text size="xs" c="dimmed">
                  Created {formatDate(organization.createdAt)}
                </Text>
              </Group>
            </Stack>
            <Stack gap={6} align="flex-start">
              <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
                Your roles
              </Text>
              {me.roles.length > 0 ? (
                <RoleBadges roles={me.roles} />
              ) : (
                <Text size="sm" c="dimmed">
                  None
                </Text>
              )}
              <Text size="xs" c="dimmed">
                {me.permissions.length} permission{me.permissions.length === 1 ? '' : 's'} in this
                organization
              </Text>
            </Stack>
          </Group>
        </Card>
      ) : (
        <Card withBorder padding="lg" radius="md">
          <EmptyState
            icon={<IconBuildingOff size={24} />}
            title="No organization"
            description={
              me.user.isSuperAdmin
                ? 'As a platform administrator you can create organizations and invite their owners.'
                : 'Ask an organization admin to invite you, then open the link from the invitation.'
            }
            action={
              me.user.isSuperAdmin ? (
                <Button component={Link} to="/admin/organizations" variant="light">
                  Manage organizations
                </Button>
              ) : undefined
            }
          />
        </Card>
      )}

      {organization && links.length > 0 && (
        <Stack gap="sm">
          <Title order={4}>{links.length > 1 ? 'Get started' : 'Shortcuts'}</Title>
          <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }}>
            {links.map((link) => (
              <Card key={link.to} withBorder padding="lg" radius="md">
                <Stack gap="sm" h="100%">
                  <ThemeIcon variant="light" size="lg" radius="md">
                    {link.icon}
                  </ThemeIcon>
                  <Text fw={600}>{link.title}</Text>
                  <Text size="sm" c="dimmed" style={{ flex: 1 }}>
                    {link.description}
                  </Text>
                  <Anchor component={Link} to={link.to} size="sm" fw={500}>
                    <Group gap={4}>
                      Open <IconArrowRight size={14} />
                    </Group>
                  </Anchor>
                </Stack>
              </Card>
            ))}
          </SimpleGrid>
        </Stack>
      )}
    </Stack>
  );
}
