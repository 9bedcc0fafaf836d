import type { SessionOut } from '@custos/shared';
import { Badge, Group, Stack, Text, Tooltip } from '@mantine/core';
import { IconDeviceDesktop, IconDeviceMobile, IconTerminal2 } from '@tabler/icons-react';
import { Country } from '../../ui/Country';
import { RelativeTime } from '../../ui/RelativeTime';

export function CountryCell({ session }: { session: SessionOut }) {
  if (!session.country) {
    return (
      <Text size="sm" c="dimmed">
        Unknown
      </Text>
    );
  }
  return (
    <Group gap={6} wrap="nowrap">
      <Country code={session.country} />
      {session.newCountry && (
        <Tooltip label="The first sign-in of this user from this country" withArrow>
          <Badge size="xs" color="orange" variant="light">
            New country
          </Badge>
        </Tooltip>
      )}
    </Group>
  );
}

function deviceIcon(device: string | null) {
  if (!device) return <IconTerminal2 size={18} stroke={1.6} />;
  return /android|iphone|ipad|ios|mobile/i.test(device) ? (
    <IconDeviceMobile size={18} stroke={1.6} />
  ) : (
    <IconDeviceDesktop size={18} stroke={1.6} />
  );
}

/** The browser and system a session signed in from, with "This device" and "New device" marks. */
export function DeviceCell({ session }: { session: SessionOut }) {
  return (
    <Group gap="sm" wrap="nowrap">
      <Text c="dimmed" lh={0}>
        {deviceIcon(session.device)}
      </Text>
      <Stack gap={2}>
        <Text size="sm" fw={500}>
          {session.device ?? 'Unknown device'}
        </Text>
        {(session.current || session.newDevice) && (
          <Group gap={4}>
            {session.current && (
              <Badge size="xs" color="teal" variant="light">
                This device
              </Badge>
            )}
            {session.newDevice && (
              <Tooltip label="The first sign-in of this user from this browser and system" withArrow>
                <Badge size="xs" color="orange" variant="light">
                  New device
                </Badge>
              </Tooltip>
            )}
          </Group>
        )}
      </Stack>
    </Group>
  );
}

/** A time shown as "3 minutes ago", with the exact date and time on hover and focus. */
export function TimeCell({ iso }: { iso: string }) {
  return <RelativeTime iso={iso} />;
}

export function IpCell({ ip }: { ip: string | null }) {
  return (
    <Text size="sm" className="custos-mono" c={ip ? undefined : 'dimmed'}>
      {ip ?? '—'}
    </Text>
  );
}
