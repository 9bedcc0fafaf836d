import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { CopyField } from '../../ui/CopyField';

interface SystemSecretModalProps {
  /** The system with its `whsec_…` secret, right after it was added or its webhook changed. */
  shown: { name: string; webhookSecret: string | null } | undefined;
  onClose: () => void;
}

/** The one display of a system's webhook signing secret: Custos keeps it sealed and never shows it again. */
export function SystemSecretModal({ shown, onClose }: SystemSecretModalProps) {
  return (
    <Modal
      opened={shown?.webhookSecret != null}
      onClose={onClose}
      title={<Text fw={600}>Copy the signing secret</Text>}
      size="lg"
      closeOnClickOutside={false}
    >
      {shown?.webhookSecret && (
        <Stack>
          <Alert
            color="yellow"
            variant="light"
            icon={<IconAlertTriangle size={18} />}
            title="It will not be shown again"
          >
            Store it with <strong>{shown.name}</strong> now: it proves that privacy tasks come from Custos.
            Any earlier secret of this system no longer signs tasks.
          </Alert>
          <CopyField
            label="Signing secret"
            value={shown.webhookSecret}
            description="Verify each task's webhook-signature header with it (the SDK's connector helper does this)."
          />
          <Group justify="flex-end">
            <Button onClick={onClose}>I have copied the secret</Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
