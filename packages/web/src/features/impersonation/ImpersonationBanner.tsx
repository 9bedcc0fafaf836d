import type { ImpersonationOut } from '@custos/shared';
import { Button, Group, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconSpy } from '@tabler/icons-react';
import { hookError } from '../../app/errors';
import { formatTime } from '../../app/format';
import { useDisplayTimeZone } from '../../ui/timeZone';
import { useMe } from '../shell/session';
import { reloadAsNewIdentity, useStopImpersonationMutation } from './api';

/** Height of the bar, which the shell adds to its header. */
export const IMPERSONATION_BAR_HEIGHT = 40;

/** The bar across the top of every page while a super admin acts as someone else. */
export function ImpersonationBanner({ impersonation }: { impersonation: ImpersonationOut }) {
  useDisplayTimeZone();
  const me = useMe();
  const [stop, { isLoading }] = useStopImpersonationMutation();

  async function stopImpersonating() {
    const result = await stop();
    if ('data' in result) {
      reloadAsNewIdentity();
      return;
    }
    notifications.show({
      color: 'red',
      title: 'Could not stop impersonating',
      message: `${hookError(result.error)?.message ?? ''} Signing out ends the impersonation too.`,
    });
  }

  return (
    <Group
      h={IMPERSONATION_BAR_HEIGHT}
      px="md"
      gap="sm"
      justify="center"
      wrap="nowrap"
      bg="grape.7"
      c="white"
      role="status"
      aria-label="Impersonation"
    >
      <IconSpy size={18} />
      <Text size="sm" fw={500} truncate>
        You are impersonating {me.user.name} ({impersonation.reason}) until{' '}
        {formatTime(impersonation.expiresAt)}
      </Text>
      <Button size="compact-sm" variant="white" color="grape" loading={isLoading} onClick={stopImpersonating}>
        Stop impersonating
      </Button>
    </Group>
  );
}
