import type { CreateApiKeyResult } from '@custos/shared';
import { Group, List, Modal, MultiSelect, NumberInput, Paper, Stack, Text, TextInput } from '@mantine/core';
import { IconCheck } from '@tabler/icons-react';
import { type FormEvent, useState } from 'react';
import { formErrors, hookError } from '../../app/errors';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { FormActions } from '../../ui/FormActions';
import { useGetRolesQuery } from '../members/api';
import { useCreateApiKeyMutation } from './api';
import { groupPermissions } from './permissionGroups';

interface CreateApiKeyModalProps {
  opened: boolean;
  onClose: () => void;
  onCreated: (result: CreateApiKeyResult) => void;
}

export function CreateApiKeyModal({ opened, onClose, onCreated }: CreateApiKeyModalProps) {
  const [name, setName] = useState('');
  const [permissions, setPermissions] = useState<string[]>([]);
  const [expiresInDays, setExpiresInDays] = useState<number | string>('');
  const { data: catalog, error: catalogError } = useGetRolesQuery();
  const [create, { isLoading, error, reset }] = useCreateApiKeyMutation();
  const apiError = hookError(error);
  const errors = formErrors(apiError, ['name', 'permissions', 'expiresInDays'], {
    PERMISSION_NOT_GRANTABLE: 'permissions',
  });
  const described = catalog?.permissions ?? [];

  function close() {
    setName('');
    setPermissions([]);
    setExpiresInDays('');
    reset();
    onClose();
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const days = typeof expiresInDays === 'number' ? expiresInDays : undefined;
    const result = await create({ name: name.trim(), permissions, ...(days ? { expiresInDays: days } : {}) });
    if ('data' in result && result.data) {
      const created = result.data;
      close();
      onCreated(created);
    }
  }

  return (
    <Modal opened={opened} onClose={close} title={<Text fw={600}>Create API key</Text>} size="lg">
      <form onSubmit={submit} noValidate>
        <Stack>
          <Text size="sm" c="dimmed">
            An API key lets a host application call Custos for this organization. Give it only the permissions
            the application needs.
          </Text>
          <TextInput
            label="Name"
            description="Where the key is used, e.g. the application and environment."
            placeholder="Band app (production)"
            value={name}
            onChange={(event) => setName(event.currentTarget.value)}
            error={errors.fields.name}
            maxLength={100}
            required
            data-autofocus
          />
          <MultiSelect
            label="Permissions"
            description="What the key may do. It can never do more than these."
            placeholder={permissions.length === 0 ? 'Pick permissions' : undefined}
            data={groupPermissions(described)}
            value={permissions}
            onChange={(value) => {
              setPermissions(value);
              if (error) reset();
            }}
            error={
              errors.fields.permissions ?? (catalogError ? 'Could not load the permissions.' : undefined)
            }
            searchable
            required
            maxDropdownHeight={280}
            comboboxProps={{ withinPortal: true }}
            renderOption={({ option, checked }) => (
              <Group gap="sm" wrap="nowrap" align="flex-start">
                <IconCheck size={14} style={{ marginTop: 4, visibility: checked ? 'visible' : 'hidden' }} />
                <Stack gap={0}>
                  <Text size="sm" className="custos-mono">
                    {option.label}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {described.find((p) => p.id === option.value)?.description}
                  </Text>
                </Stack>
              </Group>
            )}
          />
          {permissions.length > 0 && (
            <Paper withBorder p="sm" radius="md" bg="var(--mantine-color-default-hover)">
              <Text size="xs" fw={600} mb={4}>
                This key will be able to:
              </Text>
              <List size="xs" spacing={2}>
                {permissions.map((id) => (
                  <List.Item key={id}>{described.find((p) => p.id === id)?.description ?? id}</List.Item>
                ))}
              </List>
            </Paper>
          )}
          <NumberInput
            label="Expires after (days)"
            description="Leave empty for a key that does not expire. Rotating keys regularly is good practice."
            placeholder="Never"
            min={1}
            max={3650}
            allowDecimal={false}
            allowNegative={false}
            value={expiresInDays}
            onChange={setExpiresInDays}
            error={errors.fields.expiresInDays}
          />
          <ErrorAlert
            error={
              errors.fields.name || errors.fields.permissions || errors.fields.expiresInDays
                ? undefined
                : apiError
            }
            extra={errors.other}
          />
          <FormActions
            submitLabel="Create API key"
            loading={isLoading}
            disabled={!name.trim() || permissions.length === 0}
            onCancel={close}
          />
        </Stack>
      </form>
    </Modal>
  );
}
