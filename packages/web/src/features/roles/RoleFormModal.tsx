import type { RoleOut } from '@custos/shared';
import { Modal, Select, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { type FormEvent, useState } from 'react';
import { type CodeFields, formErrors, hookError, withMissing } from '../../app/errors';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { FormActions } from '../../ui/FormActions';
import { useCreateRoleMutation, useUpdateRoleMutation } from './api';
import { roleKeyProblem, suggestRoleKey } from './matrix';

const FIELDS = ['key', 'name', 'description', 'permissions', 'ownPermissions'] as const;
const CODE_FIELDS: CodeFields = {
  ROLE_EXISTS: 'key',
  PERMISSION_NOT_GRANTABLE: 'permissions',
  PERMISSION_UNKNOWN: 'permissions',
  PERMISSION_RESERVED: 'permissions',
};

interface RoleFormProps {
  roles: RoleOut[];
  /** The role being edited; a new role when absent. */
  role: RoleOut | undefined;
  onClose: () => void;
  onCreated: (role: RoleOut) => void;
}

function RoleForm({ roles, role, onClose, onCreated }: RoleFormProps) {
  const [name, setName] = useState(role?.name ?? '');
  const [key, setKey] = useState(role?.key ?? '');
  const [keyTouched, setKeyTouched] = useState(role !== undefined);
  const [description, setDescription] = useState(role?.description ?? '');
  const [copyFrom, setCopyFrom] = useState<string | null>(null);
  const [create, creation] = useCreateRoleMutation();
  const [update, updating] = useUpdateRoleMutation();
  const mutation = role ? updating : creation;
  const apiError = hookError(mutation.error);
  const errors = formErrors(apiError, FIELDS, CODE_FIELDS);
  const keyProblem = role
    ? undefined
    : roleKeyProblem(
        key,
        roles.map((r) => r.key),
      );
  const copyError = errors.fields.permissions ?? errors.fields.ownPermissions;
  const fieldError = errors.fields.key || errors.fields.name || errors.fields.description || copyError;

  function changeName(value: string) {
    setName(value);
    if (!keyTouched) setKey(suggestRoleKey(value));
    mutation.reset();
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (role) {
      const result = await update({
        key: role.key,
        body: { name: name.trim(), description: description.trim() },
      });
      if ('data' in result && result.data) {
        notifications.show({ color: 'teal', message: `Role “${result.data.name}” saved` });
        onClose();
      }
      return;
    }
    const source = roles.find((r) => r.key === copyFrom);
    const result = await create({
      key,
      name: name.trim(),
      description: description.trim(),
      permissions: source?.permissions ?? [],
      ownPermissions: source?.ownPermissions ?? [],
    });
    if ('data' in result && result.data) {
      onCreated(result.data);
      onClose();
    }
  }

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        {!role && (
          <Text size="sm" c="dimmed">
            A custom role is a named set of permissions you give to members. After creating it, tick its
            permissions in the matrix.
          </Text>
        )}
        <TextInput
          label="Name"
          placeholder="Support agent"
          value={name}
          onChange={(event) => changeName(event.currentTarget.value)}
          error={errors.fields.name}
          maxLength={80}
          required
          data-autofocus
        />
        <TextInput
          label="Key"
          description={
            role
              ? 'Members and API calls refer to the role by its key; it cannot change.'
              : 'How members and API calls refer to the role: lowercase letters, digits and underscores.'
          }
          placeholder="support_agent"
          value={key}
          onChange={(event) => {
            setKey(event.currentTarget.value);
            setKeyTouched(true);
            mutation.reset();
          }}
          error={keyProblem ?? errors.fields.key}
          disabled={role !== undefined}
          classNames={{ input: 'custos-mono' }}
          maxLength={40}
          required
        />
        <Textarea
          label="Description"
          description="What the role is for, shown beside it in role pickers."
          placeholder="Answers customer tickets; can see members and their sessions"
          value={description}
          onChange={(event) => setDescription(event.currentTarget.value)}
          error={errors.fields.description}
          maxLength={300}
          autosize
          minRows={2}
        />
        {!role && (
          <Select
            label="Start from"
            description="Copy the permissions of an existing role, or start with none."
            placeholder="No permissions"
            data={roles.map((r) => ({ value: r.key, label: r.name }))}
            value={copyFrom}
            onChange={(value) => {
              setCopyFrom(value);
              mutation.reset();
            }}
            error={copyError}
            clearable
            comboboxProps={{ withinPortal: true }}
          />
        )}
        <ErrorAlert
          error={fieldError || !apiError ? undefined : { ...apiError, message: withMissing(apiError) }}
          extra={errors.other}
        />
        <FormActions
          submitLabel={role ? 'Save role' : 'Create role'}
          loading={mutation.isLoading}
          disabled={!name.trim() || (!role && (key === '' || keyProblem !== undefined))}
          onCancel={onClose}
        />
      </Stack>
    </form>
  );
}

interface RoleFormModalProps {
  opened: boolean;
  roles: RoleOut[];
  role: RoleOut | undefined;
  onClose: () => void;
  onCreated: (role: RoleOut) => void;
}

export function RoleFormModal({ opened, roles, role, onClose, onCreated }: RoleFormModalProps) {
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={<Text fw={600}>{role ? `Edit role ${role.name}` : 'Create role'}</Text>}
    >
      {opened && (
        <RoleForm
          key={role?.key ?? 'new'}
          roles={roles}
          role={role}
          onClose={onClose}
          onCreated={onCreated}
        />
      )}
    </Modal>
  );
}
