import type { MemberOut } from '@custos/shared';
import { Modal, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { type FormEvent, useState } from 'react';
import { formErrors, hookError } from '../../app/errors';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { FormActions } from '../../ui/FormActions';
import { useUpdateMemberRolesMutation } from './api';
import { RolesSelect } from './RolesSelect';

function ChangeRolesForm({ member, onClose }: { member: MemberOut; onClose: () => void }) {
  const [roles, setRoles] = useState<string[]>(member.roles);
  const [update, { isLoading, error }] = useUpdateMemberRolesMutation();
  const apiError = hookError(error);
  const errors = formErrors(apiError, ['roles'], { ROLE_NOT_GRANTABLE: 'roles', LAST_OWNER: 'roles' });
  const unchanged =
    roles.length === member.roles.length && roles.every((role) => member.roles.includes(role));

  async function submit(event: FormEvent) {
    event.preventDefault();
    const result = await update({ userId: member.userId, roles });
    if ('data' in result) {
      notifications.show({ color: 'teal', message: `Roles of ${member.name} updated` });
      onClose();
    }
  }

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <Text size="sm" c="dimmed">
          {member.name} ({member.email}) gets the permissions of every role you pick.
        </Text>
        <RolesSelect value={roles} onChange={setRoles} error={errors.fields.roles} />
        <ErrorAlert error={errors.fields.roles ? undefined : apiError} extra={errors.other} />
        <FormActions
          submitLabel="Save roles"
          loading={isLoading}
          disabled={unchanged || roles.length === 0}
          onCancel={onClose}
        />
      </Stack>
    </form>
  );
}

export function ChangeRolesModal({
  member,
  onClose,
}: {
  member: MemberOut | undefined;
  onClose: () => void;
}) {
  return (
    <Modal opened={member !== undefined} onClose={onClose} title={<Text fw={600}>Change roles</Text>}>
      {member && <ChangeRolesForm key={member.userId} member={member} onClose={onClose} />}
    </Modal>
  );
}
