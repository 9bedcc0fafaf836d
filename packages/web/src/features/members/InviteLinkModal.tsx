import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { IconMailOff } from '@tabler/icons-react';
import { CopyField } from '../../ui/CopyField';
import { useEmailOff } from '../system/api';

/** A link to hand over and who it is for; `copied`: the admin asked for it instead of an e-mail. */
export interface InviteLink {
  url: string;
  email: string;
  copied?: boolean;
}

interface InviteLinkModalProps {
  /** The modal is open while set. */
  invite: InviteLink | undefined;
  onClose: () => void;
}

/** Shown when the invitation was not e-mailed (no mail server, or it refused): the admin hands the link over. */
export function InviteLinkModal({ invite, onClose }: InviteLinkModalProps) {
  const emailOff = useEmailOff();
  return (
    <Modal
      opened={invite !== undefined}
      onClose={onClose}
      title={<Text fw={600}>Send the invitation link</Text>}
      size="lg"
    >
      {invite && (
        <Stack>
          <Alert color="blue" variant="light" icon={<IconMailOff size={18} />}>
            {invite.copied
              ? 'This is a new link: the one sent before no longer works.'
              : emailOff
                ? 'E-mail is off (CUSTOS_SMTP_URL is not set), so Custos did not send this invitation.'
                : 'The mail server did not take the invitation, so it was not e-mailed.'}{' '}
            Send the link to the person yourself: it works once and expires in 7 days.
          </Alert>
          <Text size="sm">
            Invitation for <strong>{invite.email}</strong>
          </Text>
          <CopyField label="Invitation link" value={invite.url} />
          <Group justify="flex-end">
            <Button onClick={onClose}>Done</Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
