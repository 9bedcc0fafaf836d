import type { FactorAdded, FactorOut, MySecurity, TotpEnrollment } from '@custos/shared';
import {
  ActionIcon,
  Badge,
  Button,
  Card,
  Group,
  Menu,
  Stack,
  Table,
  Text,
  ThemeIcon,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import {
  IconDeviceMobile,
  IconDots,
  IconFingerprint,
  IconPencil,
  IconPlus,
  IconShieldOff,
  IconTrash,
} from '@tabler/icons-react';
import { useState } from 'react';
import { hookError } from '../../app/errors';
import { formatDate } from '../../app/format';
import { ConfirmModal } from '../../ui/ConfirmModal';
import { RelativeTime } from '../../ui/RelativeTime';
import { EmptyState } from '../../ui/states';
import { ActionsHeader, DataTable } from '../../ui/tables';
import { useDisplayTimeZone } from '../../ui/timeZone';
import { useConfirmAction } from '../../ui/useConfirmAction';
import { AddPasskeyModal } from './AddPasskeyModal';
import { AddTotpModal } from './AddTotpModal';
import { useRemoveFactorMutation, useStartTotpMutation } from './api';
import { RenameFactorModal } from './RenameFactorModal';

function FactorIcon({ factor }: { factor: FactorOut }) {
  return (
    <ThemeIcon variant="light" radius="md" size="lg" color={factor.type === 'passkey' ? 'grape' : 'indigo'}>
      {factor.type === 'passkey' ? <IconFingerprint size={20} /> : <IconDeviceMobile size={20} />}
    </ThemeIcon>
  );
}

function FactorRow({
  factor,
  onRename,
  onRemove,
}: {
  factor: FactorOut;
  onRename: () => void;
  onRemove: () => void;
}) {
  useDisplayTimeZone();
  const typeLabel = factor.type === 'passkey' ? 'Passkey' : 'Authenticator app';
  return (
    <Table.Tr>
      <Table.Td>
        <Group gap="sm" wrap="nowrap">
          <FactorIcon factor={factor} />
          <div>
            <Text size="sm" fw={500}>
              {factor.name}
            </Text>
            <Group gap={4}>
              {factor.name !== typeLabel && (
                <Text size="xs" c="dimmed">
                  {typeLabel}
                </Text>
              )}
              {factor.type === 'passkey' && factor.backedUp !== null && (
                <Badge size="xs" variant="light" color="gray">
                  {factor.backedUp ? 'Synced' : 'This device only'}
                </Badge>
              )}
            </Group>
          </div>
        </Group>
      </Table.Td>
      <Table.Td>
        <Text size="sm">{formatDate(factor.createdAt)}</Text>
      </Table.Td>
      <Table.Td>
        {factor.lastUsedAt ? (
          <RelativeTime iso={factor.lastUsedAt} />
        ) : (
          <Text size="sm" c="dimmed">
            Never
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <Menu position="bottom-end" withinPortal shadow="md">
          <Menu.Target>
            <ActionIcon variant="subtle" color="gray" aria-label={`Actions for ${factor.name}`}>
              <IconDots size={16} />
            </ActionIcon>
          </Menu.Target>
          <Menu.Dropdown>
            <Menu.Item leftSection={<IconPencil size={16} />} onClick={onRename}>
              Rename
            </Menu.Item>
            <Menu.Item color="red" leftSection={<IconTrash size={16} />} onClick={onRemove}>
              Remove
            </Menu.Item>
          </Menu.Dropdown>
        </Menu>
      </Table.Td>
    </Table.Tr>
  );
}

interface FactorsCardProps {
  mySecurity: MySecurity;
  /** Recovery codes the server handed out with the first factor, to show once. */
  onRecoveryCodes: (codes: string[]) => void;
}

/** The second factors: authenticator apps and passkeys, with adding, renaming and removing. */
export function FactorsCard({ mySecurity, onRecoveryCodes }: FactorsCardProps) {
  const { factors } = mySecurity;
  const [startTotp, starting] = useStartTotpMutation();
  const [enrollment, setEnrollment] = useState<TotpEnrollment>();
  const [addingPasskey, setAddingPasskey] = useState(false);
  const [renaming, setRenaming] = useState<FactorOut>();
  const [remove, removal] = useRemoveFactorMutation();
  const removing = useConfirmAction(
    (factor: FactorOut) => remove(factor.id),
    removal,
    (factor) => notifications.show({ color: 'teal', message: `“${factor.name}” was removed` }),
  );

  async function addAuthenticatorApp() {
    const result = await startTotp(undefined);
    if ('data' in result) setEnrollment(result.data);
    else {
      notifications.show({
        color: 'red',
        title: 'Could not start adding an authenticator app',
        message: hookError(result.error)?.message,
      });
    }
  }

  function added(result: FactorAdded) {
    setEnrollment(undefined);
    setAddingPasskey(false);
    // Recovery codes come with the first factor only.
    const first = result.recoveryCodes !== null;
    notifications.show({
      color: 'teal',
      title: first ? 'Two-step verification is on' : 'Added',
      message: first
        ? `“${result.factor.name}” will be asked for when you sign in.`
        : `You can now also verify with “${result.factor.name}”.`,
    });
    if (result.recoveryCodes && result.recoveryCodes.length > 0) onRecoveryCodes(result.recoveryCodes);
  }

  return (
    <Card withBorder padding={0} radius="md" component="section" aria-labelledby="factors-title">
      <Group px="lg" py="md" justify="space-between" wrap="wrap" gap="sm">
        <Stack gap={2}>
          <Title order={4} id="factors-title">
            Two-step verification
          </Title>
          <Text size="sm" c="dimmed">
            A second step after your password: a code from an app, or a passkey.
          </Text>
        </Stack>
        <Group gap="xs">
          <Button
            variant="light"
            leftSection={<IconDeviceMobile size={16} />}
            loading={starting.isLoading}
            onClick={addAuthenticatorApp}
          >
            Add authenticator app
          </Button>
          <Button
            variant="light"
            leftSection={<IconFingerprint size={16} />}
            onClick={() => setAddingPasskey(true)}
          >
            Add passkey
          </Button>
        </Group>
      </Group>
      {factors.length === 0 ? (
        <EmptyState
          icon={<IconShieldOff size={24} />}
          title="Only your password protects this account"
          description="Add an authenticator app or a passkey so a leaked password alone cannot get anyone in."
          action={
            <Button
              variant="subtle"
              leftSection={<IconPlus size={16} />}
              onClick={() => setAddingPasskey(true)}
            >
              Add a passkey
            </Button>
          }
        />
      ) : (
        <DataTable
          label="Your factors"
          minWidth={560}
          head={
            <>
              <Table.Th>Factor</Table.Th>
              <Table.Th>Added</Table.Th>
              <Table.Th>Last used</Table.Th>
              <ActionsHeader />
            </>
          }
        >
          {factors.map((factor) => (
            <FactorRow
              key={factor.id}
              factor={factor}
              onRename={() => setRenaming(factor)}
              onRemove={() => removing.ask(factor)}
            />
          ))}
        </DataTable>
      )}
      <AddTotpModal enrollment={enrollment} onClose={() => setEnrollment(undefined)} onAdded={added} />
      <AddPasskeyModal opened={addingPasskey} onClose={() => setAddingPasskey(false)} onAdded={added} />
      <RenameFactorModal factor={renaming} onClose={() => setRenaming(undefined)} />
      <ConfirmModal title="Remove factor" confirmLabel="Remove" {...removing.modal}>
        {removing.target
          ? `“${removing.target.name}” will no longer sign you in. Your other sessions are signed out; this one stays.${
              factors.length === 1
                ? ' It is your last factor: your password alone will protect the account.'
                : ''
            }`
          : ''}
      </ConfirmModal>
    </Card>
  );
}
