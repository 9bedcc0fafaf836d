import { hasMfa, type MemberWithSecurity } from '@custos/shared';
import { Badge, Group, Text, Tooltip } from '@mantine/core';
import { formatDateTime } from '../../app/format';
import { Country } from '../../ui/Country';
import { RelativeTime } from '../../ui/RelativeTime';
import { useDisplayTimeZone } from '../../ui/timeZone';

/** The kinds of second factor a member has, in words (for the badge and its tooltip). */
function factorWords(member: MemberWithSecurity): string {
  const { totp, passkey, recoveryCodes } = member.mfa;
  const parts = [
    totp > 0 ? `${totp} authenticator app${totp === 1 ? '' : 's'}` : null,
    passkey > 0 ? `${passkey} passkey${passkey === 1 ? '' : 's'}` : null,
    recoveryCodes ? 'recovery codes' : null,
  ].filter((p): p is string => p !== null);
  return parts.join(', ');
}

/** MFA state, then the account's troubles: locked out, disabled; and whether the member is privileged. */
export function MemberSecurityBadges({ member }: { member: MemberWithSecurity }) {
  // Redrawn when the viewer picks another time zone.
  useDisplayTimeZone();
  const kinds = [member.mfa.totp > 0 ? 'App' : null, member.mfa.passkey > 0 ? 'Passkey' : null].filter(
    Boolean,
  );
  return (
    <Group gap={6}>
      {hasMfa(member) ? (
        <Tooltip label={`Second factors: ${factorWords(member)}`} withArrow>
          <Badge size="sm" variant="light" color="teal" tabIndex={0}>
            Two-step: {kinds.join(' + ')}
          </Badge>
        </Tooltip>
      ) : (
        <Badge size="sm" variant="light" color={member.privileged ? 'red' : 'yellow'}>
          No two-step
        </Badge>
      )}
      {member.lockedUntil && (
        <Tooltip
          label={`Too many failed sign-ins: sign-ins from new devices and networks are refused until ${formatDateTime(member.lockedUntil)}`}
          withArrow
          multiline
          w={260}
        >
          <Badge size="sm" variant="filled" color="orange" tabIndex={0}>
            Locked out
          </Badge>
        </Tooltip>
      )}
      {member.responseLock && (
        <Tooltip
          label={`A security response locked this account${member.responseLock.unknownDevicesOnly ? ' for devices and networks the member has not used before' : ''}, ${member.responseLock.until ? `until ${formatDateTime(member.responseLock.until)}` : 'until someone lifts it'}. Lift it on the Responses page.`}
          withArrow
          multiline
          w={280}
        >
          <Badge size="sm" variant="filled" color="red" tabIndex={0}>
            Locked by a response
          </Badge>
        </Tooltip>
      )}
      {member.disabled && (
        <Tooltip label="A platform admin disabled this account: it cannot sign in anywhere" withArrow>
          <Badge size="sm" variant="filled" color="gray" tabIndex={0}>
            Disabled
          </Badge>
        </Tooltip>
      )}
      {member.privileged && (
        <Tooltip
          label="Privileged: their roles can change members, roles, access rules, the security policy or API keys"
          withArrow
          multiline
          w={260}
        >
          <Badge size="sm" variant="outline" color="indigo" tabIndex={0}>
            Privileged
          </Badge>
        </Tooltip>
      )}
    </Group>
  );
}

/** "3 hours ago · Germany", with the exact time on hover or focus; "Never" without a sign-in here. */
export function LastSignIn({ member }: { member: MemberWithSecurity }) {
  if (!member.lastSignIn) {
    return (
      <Text size="sm" c="dimmed">
        Never
      </Text>
    );
  }
  const { at, country } = member.lastSignIn;
  return (
    <div>
      <RelativeTime iso={at} />
      {country && <Country code={country} size="xs" c="dimmed" />}
    </div>
  );
}
