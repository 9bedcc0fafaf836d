import type { MySecurity } from '@custos/shared';
import { Badge, Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import { IconLifebuoy, IconRefresh } from '@tabler/icons-react';
import { useState } from 'react';
import { hookError } from '../../app/errors';
import { formatDate } from '../../app/format';
import { ConfirmModal } from '../../ui/ConfirmModal';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { useDisplayTimeZone } from '../../ui/timeZone';
import { useGenerateRecoveryCodesMutation } from './api';

interface RecoveryCodesCardProps {
  mySecurity: MySecurity;
  onCodes: (codes: string[]) => void;
}

/** How many recovery codes are left, and making a new set (which retires the old one). */
export function RecoveryCodesCard({ mySecurity, onCodes }: RecoveryCodesCardProps) {
  useDisplayTimeZone();
  const [generate, { isLoading, error, reset }] = useGenerateRecoveryCodesMutation();
  const [confirming, setConfirming] = useState(false);
  const apiError = hookError(error);
  const codes = mySecurity.recoveryCodes;
  const hasFactor = mySecurity.factors.length > 0;
  const low = codes !== null && codes.remaining <= 3;

  async function run() {
    const result = await generate();
    if ('data' in result && result.data) {
      setConfirming(false);
      onCodes(result.data.codes);
    }
  }

  return (
    <Card withBorder padding="lg" radius="md" component="section" aria-labelledby="recovery-title">
      <Stack gap="md">
        <Stack gap={2}>
          <Title order={4} id="recovery-title">
            Recovery codes
          </Title>
          <Text size="sm" c="dimmed">
            One-time codes for when you cannot use your authenticator app or passkey.
          </Text>
        </Stack>
        {!hasFactor ? (
          <Text size="sm" c="dimmed">
            Add an authenticator app or a passkey first; you get recovery codes with it.
          </Text>
        ) : codes ? (
          <Group gap="xs">
            <IconLifebuoy size={18} stroke={1.6} />
            <Text size="sm" data-testid="recovery-remaining">
              <Text span fw={600}>
                {codes.remaining}
              </Text>{' '}
              of 10 left · made {formatDate(codes.generatedAt)}
            </Text>
            {low && (
              <Badge color="orange" variant="light" size="sm">
                Running low
              </Badge>
            )}
          </Group>
        ) : (
          <Text size="sm" c="dimmed">
            You have no recovery codes.
          </Text>
        )}
        {!confirming && <ErrorAlert error={apiError} />}
        {hasFactor && (
          <Group>
            <Button
              variant={codes ? 'default' : 'filled'}
              leftSection={<IconRefresh size={16} />}
              loading={isLoading && !confirming}
              onClick={() => (codes ? setConfirming(true) : run())}
            >
              {codes ? 'Generate new codes' : 'Generate codes'}
            </Button>
          </Group>
        )}
      </Stack>
      <ConfirmModal
        opened={confirming}
        title="Generate new recovery codes"
        confirmLabel="Generate new codes"
        loading={isLoading}
        error={apiError}
        onConfirm={run}
        onClose={() => {
          setConfirming(false);
          reset();
        }}
      >
        Your current recovery codes stop working at once. You will see the new ones once, to save.
      </ConfirmModal>
    </Card>
  );
}
