import { Modal, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { type FormEvent, useState } from 'react';
import { formErrors, hookError } from '../../app/errors';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { FormActions } from '../../ui/FormActions';
import { EmailOffNotice } from '../system/EmailOffNotice';
import { useInviteMemberMutation } from './api';
import { RolesSelect } from './RolesSelect';

interface InviteMemberModalProps {
  opened: boolean;
  onClose: () => void;
  /** Called when the server returns a link to hand over (no mail server configured). */
  onInviteLink: (invite: { url: string; email: string }) => void;
}

export function InviteMemberModal({ opened, onClose, onInviteLink }: InviteMemberModalProps) {
  const [email, setEmail] = useState('');
  const [roles, setRoles] = useState<string[]>(['member']);
  const [invite, { isLoading, error, reset }] = useInviteMemberMutation();
  const apiError = hookError(error);
  const errors = formErrors(apiError, ['email', 'roles'], {
    MEMBER_ALREADY_EXISTS: 'email',
    INVITATION_PENDING: 'email',
    ROLE_NOT_GRANTABLE: 'roles',
  });

  function close() {
    setEmail('');
    setRoles(['member']);
    reset();
    onClose();
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const result = await invite({ email: email.trim(), roles });
    if (!('data' in result) || !result.data) return;
    const sentTo = result.data.invitation.email;
    close();
    if (result.data.inviteUrl) onInviteLink({ url: result.data.inviteUrl, email: sentTo });
    else
      notifications.show({
        color: 'teal',
        title: 'Invitation e-mailed',
        message: `We sent an invitation to ${sentTo}.`,
      });
  }

  return (
    <Modal opened={opened} onClose={close} title={<Text fw={600}>Invite member</Text>}>
      <form onSubmit={submit} noValidate>
        <Stack>
          <Text size="sm" c="dimmed">
            They get a link to join this organization with the roles you choose. You can change roles later.
          </Text>
          <EmailOffNotice keptInOutbox compact>
            The invitation is not e-mailed: once it is made, you get its link to pass on yourself.
          </EmailOffNotice>
          <TextInput
            label="E-mail"
            type="email"
            placeholder="name@company.com"
            value={email}
            onChange={(event) => {
              setEmail(event.currentTarget.value);
              if (error) reset();
            }}
            error={errors.fields.email}
            required
            data-autofocus
          />
          <RolesSelect value={roles} onChange={setRoles} error={errors.fields.roles} />
          <ErrorAlert
            error={errors.fields.email || errors.fields.roles ? undefined : apiError}
            extra={errors.other}
          />
          <FormActions
            submitLabel="Send invitation"
            loading={isLoading}
            disabled={!email.trim() || roles.length === 0}
            onCancel={close}
          />
        </Stack>
      </form>
    </Modal>
  );
}
