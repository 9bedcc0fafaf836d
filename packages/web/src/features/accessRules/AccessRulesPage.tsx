import type { AccessRuleKind, AccessRuleList, AccessRuleOut } from '@custos/shared';
import { Alert, Anchor, Button, Card, Menu, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconChevronDown, IconClock, IconLock, IconPlus, IconWorld, IconWorldWww } from '@tabler/icons-react';
import { useState } from 'react';
import { Link } from 'react-router';
import { type ApiError, hookError } from '../../app/errors';
import { ConfirmModal } from '../../ui/ConfirmModal';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { PageHeader } from '../../ui/PageHeader';
import { LoadError, SectionLoader } from '../../ui/states';
import { useConfirmAction } from '../../ui/useConfirmAction';
import { Require } from '../shell/RequirePermission';
import { useCan, useMe } from '../shell/session';
import { useDeleteAccessRuleMutation, useListAccessRulesQuery, useUpdateAccessRuleMutation } from './api';
import { LockoutAlert } from './LockoutAlert';
import { RuleEditorModal } from './RuleEditorModal';
import { RulesCard } from './RulesCard';
import { RuleTester } from './RuleTester';
import { KIND_LABELS } from './ruleLabels';
import { countryName, nowIn } from './values';

const KINDS: AccessRuleKind[] = ['ip', 'country', 'time'];

type Editing = { rule: AccessRuleOut } | { kind: AccessRuleKind } | undefined;

/** The other way to block an address, and when each is the right one. */
function IpBlockHint() {
  const canSeeResponses = useCan('security:read');
  return (
    <Text size="xs" c="dimmed" data-testid="ip-block-hint">
      IP rules last until someone changes them and can apply to some roles or API keys only. To shut out an
      attacking address for a while, block it from{' '}
      {canSeeResponses ? (
        <Anchor component={Link} to="/security/responses" size="xs" underline="always">
          Responses
        </Anchor>
      ) : (
        'Responses'
      )}{' '}
      instead: the block refuses its sign-ins and requests into this organization and ends on its own.
    </Text>
  );
}

function YourRequestCard({ list }: { list: AccessRuleList }) {
  const canOpenSettings = useCan('organization:manage');
  const { ip, country } = list.yourRequest;
  const now = nowIn(list.timeZone);
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }}>
      <Card withBorder radius="md" padding="lg" component="section" aria-labelledby="your-request-title">
        <Stack gap={6}>
          <Title order={2} size="h5" id="your-request-title">
            Your request
          </Title>
          <Text size="sm" data-testid="your-request">
            IP{' '}
            <Text span className="custos-mono" fw={600}>
              {ip ?? 'unknown'}
            </Text>{' '}
            {country
              ? `(${countryName(country)}, ${country})`
              : '(no country: a private, local or unknown address)'}
          </Text>
          <Text size="xs" c="dimmed">
            What the rules see of you right now. Custos refuses a change that would refuse this request, so
            you cannot lock yourself out.
          </Text>
        </Stack>
      </Card>
      <Card withBorder radius="md" padding="lg" component="section" aria-labelledby="time-zone-title">
        <Stack gap={6}>
          <Title order={2} size="h5" id="time-zone-title">
            Time zone
          </Title>
          <Text size="sm" data-testid="rules-time-zone">
            Time windows are read in{' '}
            <Text span fw={600}>
              {list.timeZone}
            </Text>
            {now ? ` (it is ${now} there now)` : ''}.
          </Text>
          <Text size="xs" c="dimmed">
            The organization’s time zone is set in{' '}
            {canOpenSettings ? (
              <Anchor component={Link} to="/settings" size="xs" underline="always">
                Organization settings
              </Anchor>
            ) : (
              'Organization settings (owners and admins)'
            )}
            .
          </Text>
        </Stack>
      </Card>
    </SimpleGrid>
  );
}

function RulesBody({
  list,
  editing,
  setEditing,
}: {
  list: AccessRuleList;
  editing: Editing;
  setEditing: (e: Editing) => void;
}) {
  const canManage = useCan('access:manage');
  const [update] = useUpdateAccessRuleMutation();
  const [toggling, setToggling] = useState<string>();
  const [toggleError, setToggleError] = useState<ApiError>();
  const [remove, removal] = useDeleteAccessRuleMutation();
  const deleting = useConfirmAction(
    (rule: AccessRuleOut) => remove(rule.id),
    removal,
    (rule) => notifications.show({ color: 'teal', message: `${KIND_LABELS[rule.kind].one} deleted` }),
  );

  async function toggle(rule: AccessRuleOut, enabled: boolean) {
    setToggling(rule.id);
    setToggleError(undefined);
    const result = await update({ id: rule.id, body: { enabled } });
    setToggling(undefined);
    if ('error' in result) setToggleError(hookError(result.error));
    else
      notifications.show({
        color: 'teal',
        message: `${KIND_LABELS[rule.kind].one} ${enabled ? 'enabled' : 'disabled'}`,
      });
  }

  return (
    <Stack gap="lg">
      {!canManage && (
        <Alert color="gray" variant="light" icon={<IconLock size={18} />}>
          You can see the access rules but not change them: that needs the access:manage permission. Ask an
          owner or admin.
        </Alert>
      )}
      <YourRequestCard list={list} />
      <LockoutAlert error={toggleError} yourRequest={list.yourRequest} />
      <ErrorAlert error={toggleError?.code === 'ACCESS_RULE_LOCKOUT' ? undefined : toggleError} />
      {list.rules.length === 0 && (
        <Text size="sm" c="dimmed">
          No rules yet: everyone with a valid session or API key gets in from anywhere, at any time. Add rules
          below to narrow that down; test them before relying on them.
        </Text>
      )}
      {KINDS.map((kind) => (
        <RulesCard
          key={kind}
          hint={kind === 'ip' ? <IpBlockHint /> : undefined}
          kind={kind}
          rules={list.rules.filter((rule) => rule.kind === kind)}
          canManage={canManage}
          toggling={toggling}
          onAdd={() => setEditing({ kind })}
          onEdit={(rule) => setEditing({ rule })}
          onDelete={deleting.ask}
          onToggle={toggle}
        />
      ))}
      <RuleTester list={list} />
      <RuleEditorModal editing={editing} list={list} onClose={() => setEditing(undefined)} />
      <ConfirmModal title="Delete access rule" confirmLabel="Delete rule" {...deleting.modal}>
        {deleting.target
          ? `The ${KIND_LABELS[deleting.target.kind].noun}${deleting.target.description ? ` “${deleting.target.description}”` : ''} stops applying at once. This cannot be undone; to pause it instead, switch it off.`
          : ''}
      </ConfirmModal>
    </Stack>
  );
}

function AccessRulesBody({ editing, setEditing }: { editing: Editing; setEditing: (e: Editing) => void }) {
  const { data, error, isLoading, refetch } = useListAccessRulesQuery();
  if (isLoading) return <SectionLoader label="Loading the access rules" />;
  if (!data) return <LoadError error={hookError(error)} what="the access rules" onRetry={refetch} />;
  return <RulesBody list={data} editing={editing} setEditing={setEditing} />;
}

export function AccessRulesPage() {
  const me = useMe();
  const canManage = useCan('access:manage');
  const [editing, setEditing] = useState<Editing>();

  return (
    <>
      <PageHeader
        title="Access rules"
        description="Where and when people and API keys may use this organization: IP ranges, countries and times. Rules apply at sign-in and on every request."
        actions={
          canManage && me.organization && me.permissions.includes('access:read') ? (
            <Menu position="bottom-end" withinPortal>
              <Menu.Target>
                <Button leftSection={<IconPlus size={18} />} rightSection={<IconChevronDown size={16} />}>
                  Add rule
                </Button>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Item
                  leftSection={<IconWorldWww size={16} />}
                  onClick={() => setEditing({ kind: 'ip' })}
                >
                  IP addresses
                </Menu.Item>
                <Menu.Item
                  leftSection={<IconWorld size={16} />}
                  onClick={() => setEditing({ kind: 'country' })}
                >
                  Countries
                </Menu.Item>
                <Menu.Item leftSection={<IconClock size={16} />} onClick={() => setEditing({ kind: 'time' })}>
                  Times
                </Menu.Item>
              </Menu.Dropdown>
            </Menu>
          ) : undefined
        }
      />
      <Require organization permission="access:read">
        <AccessRulesBody editing={editing} setEditing={setEditing} />
      </Require>
    </>
  );
}
