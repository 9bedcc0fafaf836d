import {
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  SimpleGrid,
  Stack,
  Text,
  ThemeIcon,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import {
  IconArrowRight,
  IconBuildingOff,
  IconEraser,
  IconFileExport,
  IconHistory,
  IconKey,
  IconMessageQuestion,
  IconSettings,
  IconShieldLock,
  IconUserPlus,
  IconUsers,
} from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { formatDate } from '../../app/format';
import { EmptyState } from '../../ui/states';
import { useDisplayTimeZone } from '../../ui/timeZone';
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

/**
 * What a person can do here, by the permissions their roles give them, most specific first: an
 * auditor lands on the audit trail and its proofs, a privacy officer on finding and erasing a
 * person's data, an admin on inviting people and connecting the product.
 */
const QUICK_LINKS: QuickLink[] = [
  {
    to: '/audit',
    title: 'Investigate the audit trail',
    description:
      'Search who did what, when and from where: by person, IP address, action or words. Every event is signed into the log, so you can prove it was not changed.',
    icon: <IconHistory size={20} />,
    permission: 'audit:read',
  },
  {
    to: '/audit',
    title: 'Export evidence',
    description:
      'Download the events an auditor asks for as CSV or JSON Lines, with what is needed to verify them.',
    icon: <IconFileExport size={20} />,
    permission: 'audit:export',
  },
  {
    to: '/privacy/requests',
    title: 'Answer privacy requests',
    description:
      'People asking to see, correct or erase their data, each with its legal due date. Verify, approve or deny them and follow every system’s part.',
    icon: <IconMessageQuestion size={20} />,
    permission: 'privacy:read',
  },
  {
    to: '/audit/settings',
    title: 'Erase a person’s data',
    description:
      'When someone asks to be forgotten, make their personal data in the audit trail unreadable for good, without breaking the log’s proofs.',
    icon: <IconEraser size={20} />,
    permission: 'privacy:erase',
  },
  {
    to: '/members',
    title: 'Invite your team',
    description: 'Add admins, security analysts, auditors and privacy officers with the roles they need.',
    icon: <IconUserPlus size={20} />,
    permission: 'members:invite',
  },
  {
    to: '/members',
    title: 'See who has access',
    description: 'The organization’s members, their roles and whether they use two-step verification.',
    icon: <IconUsers size={20} />,
    permission: 'members:read',
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
    description: 'The organization’s name, its time zone and whether Custos sends e-mail.',
    icon: <IconSettings size={20} />,
    permission: 'organization:manage',
  },
  {
    to: '/security/me',
    title: 'Your sign-in security',
    description: 'Your password, two-step verification, passkeys and the devices signed in as you.',
    icon: <IconShieldLock size={20} />,
  },
];

/** The links for these permissions; "invite" replaces "see who has access" for those who can. */
export function linksFor(permissions: readonly string[]): QuickLink[] {
  const has = (p: string | undefined) => !p || permissions.includes(p);
  const canInvite = permissions.includes('members:invite');
  return QUICK_LINKS.filter(
    (link) => has(link.permission) && !(canInvite && link.permission === 'members:read'),
  );
}

/** "Ada" of "Ada Lovelace": how the home page greets the caller. */
export function firstName(name: string): string {
  return name.trim().split(/\s+/)[0] ?? name;
}

export function OverviewPage() {
  useDisplayTimeZone();
  const me = useMe();
  const organization = me.organization;
  const links = linksFor(me.permissions);

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
              <Title order={2} size="h3" data-testid="overview-organization">
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
          <Title order={2} size="h4">
            What you can do here
          </Title>
          <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }}>
            {links.map((link) => (
              <Card key={link.title} withBorder padding="lg" radius="md" data-testid="landing-task">
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
                      Open <VisuallyHidden>{link.title}</VisuallyHidden>
                      <IconArrowRight size={14} aria-hidden />
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
