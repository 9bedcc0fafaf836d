import type { CreateApiKeyResult } from '@custos/shared';
import { Alert, Button, Code, Group, Modal, Stack, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { CopyField } from '../../ui/CopyField';

interface SecretModalProps {
  created: CreateApiKeyResult | undefined;
  onClose: () => void;
}

/** The one and only display of a new key's secret: Custos stores just its hash. */
export function SecretModal({ created, onClose }: SecretModalProps) {
  return (
    <Modal
      opened={created !== undefined}
      onClose={onClose}
      title={<Text fw={600}>Copy your new API key</Text>}
      size="lg"
      closeOnClickOutside={false}
    >
      {created && (
        <Stack>
          <Alert
            color="yellow"
            variant="light"
            icon={<IconAlertTriangle size={18} />}
            title="It will not be shown again"
          >
            Copy the secret now and store it in your application's secret store. Custos keeps only a hash of
            it; if you lose it, revoke this key and create a new one.
          </Alert>
          <Text size="sm">
            Key <strong>{created.apiKey.name}</strong>
          </Text>
          <CopyField label="API key secret" value={created.secret} />
          <Text size="xs" c="dimmed">
            Send it as a bearer token: <Code>Authorization: Bearer {created.apiKey.prefix}…</Code>
          </Text>
          <Group justify="flex-end">
            <Button onClick={onClose}>I have copied the key</Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
