import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { IconMailOff } from '@tabler/icons-react';
import { CopyField } from '../../ui/CopyField';

interface InviteLinkModalProps {
  /** The link and who it is for; the modal is open while set. */
  invite: { url: string; email: string } | undefined;
  onClose: () => void;
}

/** Shown when the server has no mail server: the admin hands the one-time link over themselves. */
export function InviteLinkModal({ invite, onClose }: InviteLinkModalProps) {
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
            No mail server is configured, so send this link to the person yourself. It works once and expires
            in 7 days.
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
