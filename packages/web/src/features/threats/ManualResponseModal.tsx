import type { CreateResponseBody } from '@custos/shared';
import { Anchor, Modal, SegmentedControl, Select, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { hookError } from '../../app/errors';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { FormActions } from '../../ui/FormActions';
import { useListMembersQuery } from '../members/api';
import { useCan, useMe } from '../shell/session';
import { useCreateThreatResponseMutation } from './api';
import { looksLikeIp } from './eventFilters';
import { durationLabel, durationMinutes } from './labels';

export type ManualKind = CreateResponseBody['kind'];

/** The durations a person picks from for a manual block or lock. */
const MANUAL_DURATIONS = [
  { value: '15', label: '15 minutes' },
  { value: '60', label: '1 hour' },
  { value: '1440', label: '24 hours' },
  { value: 'forever', label: 'Until lifted' },
];

const TITLES: Record<ManualKind, string> = { block_ip: 'Block an IP', lock_account: 'Lock an account' };

function ManualResponseForm({ kind, onClose }: { kind: ManualKind; onClose: () => void }) {
  const me = useMe();
  const canListMembers = useCan('members:read');
  const members = useListMembersQuery(undefined, { skip: kind !== 'lock_account' || !canListMembers });
  const [ip, setIp] = useState('');
  const [userId, setUserId] = useState<string | null>(null);
  const [duration, setDuration] = useState<string>('60');
  const [scope, setScope] = useState<'untrusted' | 'all'>('all');
  const [tried, setTried] = useState(false);
  const [create, { isLoading, error, reset }] = useCreateThreatResponseMutation();
  const apiError = hookError(error);

  const ipProblem =
    kind === 'block_ip' && !looksLikeIp(ip)
      ? ip.trim()
        ? 'Not an IP address'
        : 'Enter an IP address'
      : undefined;
  const userProblem = kind === 'lock_account' && !userId ? 'Choose a member' : undefined;
  const people = (members.data ?? [])
    .filter((member) => member.userId !== me.user.id)
    .map((member) => ({ value: member.userId, label: `${member.name} (${member.email})` }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    setTried(true);
    if (ipProblem || userProblem) return;
    const minutes = durationMinutes(duration);
    const body: CreateResponseBody =
      kind === 'block_ip'
        ? { kind, ip: ip.trim(), durationMinutes: minutes }
        : { kind, userId: userId ?? '', durationMinutes: minutes, scope };
    const result = await create(body);
    if ('data' in result && result.data) {
      notifications.show({
        color: 'teal',
        message:
          kind === 'block_ip'
            ? `${ip.trim()} blocked ${minutes ? `for ${durationLabel(minutes)}` : 'until lifted'}`
            : `Account locked ${minutes ? `for ${durationLabel(minutes)}` : 'until lifted'}`,
      });
      onClose();
    }
  }

  const change =
    <T,>(set: (value: T) => void) =>
    (value: T) => {
      set(value);
      if (error) reset();
    };

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        {kind === 'block_ip' ? (
          <TextInput
            label="IP address"
            description={
              <>
                IPv4 or IPv6. Its sign-ins and requests into this organization are refused until the block
                ends. To block a range for good, or for some roles only, add an IP rule in{' '}
                <Anchor component={Link} to="/access/rules" size="xs" underline="always" onClick={onClose}>
                  Access rules
                </Anchor>{' '}
                instead.
              </>
            }
            placeholder="203.0.113.7"
            value={ip}
            onChange={(e) => change(setIp)(e.currentTarget.value)}
            error={tried ? ipProblem : undefined}
            classNames={{ input: 'custos-mono' }}
            required
            data-autofocus
          />
        ) : (
          <>
            <Select
              label="Member"
              placeholder={members.isLoading ? 'Loading members…' : 'Search members'}
              data={people}
              value={userId}
              onChange={change(setUserId)}
              searchable
              nothingFoundMessage={people.length === 0 ? 'No other members' : 'No such member'}
              error={tried ? userProblem : members.error ? 'Could not load the members' : undefined}
              comboboxProps={{ withinPortal: true }}
              required
            />
            <Stack gap={4}>
              <Text size="sm" fw={500}>
                Refuse sign-in
              </Text>
              <SegmentedControl
                aria-label="Where the lock applies"
                value={scope}
                onChange={(value) => change(setScope)(value === 'untrusted' ? 'untrusted' : 'all')}
                data={[
                  { value: 'all', label: 'Everywhere' },
                  { value: 'untrusted', label: 'From unknown devices only' },
                ]}
              />
              <Text size="xs" c="dimmed">
                {scope === 'all'
                  ? 'The member cannot sign in at all, and their sessions end.'
                  : 'The member still signs in from devices and IPs they used before; an attacker elsewhere is refused.'}
              </Text>
            </Stack>
          </>
        )}
        <Select
          label="Duration"
          data={MANUAL_DURATIONS}
          value={duration}
          onChange={(value) => change(setDuration)(value ?? '60')}
          allowDeselect={false}
          comboboxProps={{ withinPortal: true }}
        />
        <ErrorAlert error={apiError} />
        <FormActions
          submitLabel={kind === 'block_ip' ? 'Block IP' : 'Lock account'}
          loading={isLoading}
          disabled={false}
          onCancel={onClose}
        />
      </Stack>
    </form>
  );
}

/** Blocking an IP or locking an account by hand; the server asks for step-up first. */
export function ManualResponseModal({
  kind,
  onClose,
}: {
  kind: ManualKind | undefined;
  onClose: () => void;
}) {
  return (
    <Modal
      opened={kind !== undefined}
      onClose={onClose}
      title={<Text fw={600}>{kind ? TITLES[kind] : ''}</Text>}
    >
      {kind && <ManualResponseForm key={kind} kind={kind} onClose={onClose} />}
    </Modal>
  );
}
