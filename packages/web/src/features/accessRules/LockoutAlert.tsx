import type { AccessRuleList } from '@custos/shared';
import { Alert, Button, Stack, Text } from '@mantine/core';
import { IconLockExclamation } from '@tabler/icons-react';
import type { ApiError } from '../../app/errors';
import { lockoutRule } from './ruleDraft';
import { countryName, hostCidr } from './values';

interface LockoutAlertProps {
  error: ApiError | undefined;
  yourRequest: AccessRuleList['yourRequest'];
  /** Offered when the editor can add the caller's own address to the rule. */
  onAddMyAddress?: () => void;
}

/** Says a change was refused because it would shut the caller out; the server's message says what to do. */
export function LockoutAlert({ error, yourRequest, onAddMyAddress }: LockoutAlertProps) {
  const rule = lockoutRule(error);
  if (!error || !rule) return null;
  const where = yourRequest.ip
    ? `${yourRequest.ip}${yourRequest.country ? ` (${countryName(yourRequest.country)})` : ''}`
    : 'an address Custos could not determine';
  return (
    <Alert
      color="red"
      variant="filled"
      icon={<IconLockExclamation size={20} />}
      title="Not saved: this would lock you out"
      role="alert"
      data-testid="lockout-alert"
    >
      <Stack gap="xs">
        <Text size="sm">{error.message}</Text>
        <Text size="sm">
          {yourRequest.ip && error.message.includes(yourRequest.ip)
            ? ''
            : `Your request comes from ${where}. `}
          Nothing was saved; the rules in force are unchanged.
        </Text>
        {onAddMyAddress && yourRequest.ip && rule.effect !== 'deny' && (
          <Button size="xs" variant="white" color="red" onClick={onAddMyAddress} w="fit-content">
            Add {hostCidr(yourRequest.ip)} to this rule
          </Button>
        )}
      </Stack>
    </Alert>
  );
}
