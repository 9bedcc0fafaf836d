import { Alert, Button, CopyButton, Group, Modal, Paper, SimpleGrid, Stack, Text } from '@mantine/core';
import { IconAlertTriangle, IconCheck, IconCopy, IconDownload } from '@tabler/icons-react';

interface RecoveryCodesModalProps {
  /** Open while set: the codes just generated. */
  codes: string[] | undefined;
  onClose: () => void;
}

function download(codes: string[]): void {
  const text = [
    'Custos recovery codes',
    `Generated ${new Date().toISOString()}`,
    '',
    'Each code signs you in once when you cannot use your authenticator app or passkey.',
    '',
    ...codes,
    '',
  ].join('\n');
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = 'custos-recovery-codes.txt';
  link.click();
  URL.revokeObjectURL(url);
}

/** New recovery codes, shown this once, to copy or download. */
export function RecoveryCodesModal({ codes, onClose }: RecoveryCodesModalProps) {
  return (
    <Modal
      opened={codes !== undefined}
      onClose={onClose}
      title={<Text fw={600}>Save your recovery codes</Text>}
      closeOnClickOutside={false}
      size="md"
    >
      {codes && (
        <Stack gap="md">
          <Text size="sm">
            If you lose your authenticator app or passkey, each of these codes signs you in once. Keep them
            somewhere safe, like a password manager.
          </Text>
          <Paper withBorder p="md" radius="md" bg="var(--mantine-color-default-hover)">
            <SimpleGrid cols={2} spacing="xs" aria-label="Recovery codes" role="list">
              {codes.map((code) => (
                <Text key={code} className="custos-mono" size="sm" ta="center" role="listitem">
                  {code}
                </Text>
              ))}
            </SimpleGrid>
          </Paper>
          <Alert color="yellow" variant="light" icon={<IconAlertTriangle size={18} />} py="xs">
            They will not be shown again. Generating new codes makes these stop working.
          </Alert>
          <Group justify="space-between">
            <Group gap="xs">
              <CopyButton value={codes.join('\n')} timeout={2000}>
                {({ copied, copy }) => (
                  <Button
                    variant="default"
                    leftSection={copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
                    onClick={copy}
                  >
                    {copied ? 'Copied' : 'Copy'}
                  </Button>
                )}
              </CopyButton>
              <Button
                variant="default"
                leftSection={<IconDownload size={16} />}
                onClick={() => download(codes)}
              >
                Download .txt
              </Button>
            </Group>
            <Button onClick={onClose}>I have saved them</Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
