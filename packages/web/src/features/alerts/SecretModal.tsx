import type { AlertChannelCreated } from '@custos/shared';
import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { CopyField } from '../../ui/CopyField';

interface SecretModalProps {
  /** The channel with its `whsec_…` secret, right after creation or rotation. */
  shown: { channel: AlertChannelCreated; rotated: boolean } | undefined;
  onClose: () => void;
}

/** The one display of a webhook's signing secret: Custos keeps it sealed and never shows it again. */
export function SecretModal({ shown, onClose }: SecretModalProps) {
  return (
    <Modal
      opened={shown !== undefined}
      onClose={onClose}
      title={
        <Text fw={600}>{shown?.rotated ? 'Copy the new signing secret' : 'Copy the signing secret'}</Text>
      }
      size="lg"
      closeOnClickOutside={false}
    >
      {shown?.channel.secret && (
        <Stack>
          <Alert
            color="yellow"
            variant="light"
            icon={<IconAlertTriangle size={18} />}
            title="It will not be shown again"
          >
            Store it with the receiver of <strong>{shown.channel.name}</strong> now: it verifies that messages
            come from Custos. {shown.rotated ? 'The previous secret no longer signs messages.' : ''}
          </Alert>
          <CopyField
            label="Signing secret"
            value={shown.channel.secret}
            description="Verify each message's webhook-signature header with it."
          />
          <Group justify="flex-end">
            <Button onClick={onClose}>I have copied the secret</Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
