import type { AdminUserOut } from '@custos/shared';
import { Alert, Modal, NumberInput, Select, Stack, Text, Textarea } from '@mantine/core';
import { IconSpy } from '@tabler/icons-react';
import { type FormEvent, useState } from 'react';
import { formErrors, hookError } from '../../app/errors';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { FormActions } from '../../ui/FormActions';
import { reloadAsNewIdentity, useStartImpersonationMutation } from '../impersonation/api';

const REASON_MIN = 10;
const MINUTES = { min: 1, max: 120, default: 30 };

function ImpersonateForm({ user, onClose }: { user: AdminUserOut; onClose: () => void }) {
  const [reason, setReason] = useState('');
  const [minutes, setMinutes] = useState<number | string>(MINUTES.default);
  const [organizationId, setOrganizationId] = useState<string | null>(null);
  const [start, { isLoading, error }] = useStartImpersonationMutation();
  const apiError = hookError(error);
  const errors = formErrors(apiError, ['reason', 'minutes', 'organizationId']);
  const minutesValue = Number(minutes);
  const minutesProblem =
    !Number.isInteger(minutesValue) || minutesValue < MINUTES.min || minutesValue > MINUTES.max
      ? `From ${MINUTES.min} to ${MINUTES.max} minutes`
      : undefined;
  const reasonShort = reason.trim().length < REASON_MIN;

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (reasonShort || minutesProblem) return;
    const result = await start({
      userId: user.id,
      reason: reason.trim(),
      minutes: minutesValue,
      ...(organizationId ? { organizationId } : {}),
    });
    if ('data' in result) reloadAsNewIdentity();
  }

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        <Alert color="grape" variant="light" icon={<IconSpy size={18} />}>
          You will see Custos as {user.name} sees it. Everything you do is recorded as done by you on their
          behalf, and changing their password or factors is refused. A bar at the top lets you stop.
        </Alert>
        <Textarea
          label="Reason"
          description={`At least ${REASON_MIN} characters, e.g. the support ticket. Recorded in the audit trail.`}
          value={reason}
          onChange={(event) => setReason(event.currentTarget.value)}
          error={errors.fields.reason}
          minRows={2}
          autosize
          maxLength={500}
          required
          data-autofocus
        />
        <NumberInput
          label="For"
          description={`Ends by itself after this many minutes (${MINUTES.min}–${MINUTES.max}).`}
          value={minutes}
          onChange={setMinutes}
          rightSection={
            <Text size="sm" c="dimmed" pr="sm">
              minutes
            </Text>
          }
          rightSectionWidth={72}
          allowDecimal={false}
          allowNegative={false}
          clampBehavior="none"
          error={minutes === '' ? undefined : (minutesProblem ?? errors.fields.minutes)}
        />
        {user.organizations.length > 0 && (
          <Select
            label="Organization"
            description="Optional: start in this organization rather than the one they last used."
            placeholder="Their default"
            data={user.organizations.map((o) => ({ value: o.id, label: o.name }))}
            value={organizationId}
            onChange={setOrganizationId}
            error={errors.fields.organizationId}
            clearable
            comboboxProps={{ withinPortal: true }}
          />
        )}
        <ErrorAlert
          error={Object.keys(errors.fields).length > 0 ? undefined : apiError}
          extra={errors.other}
        />
        <FormActions
          submitLabel={`Impersonate ${user.name}`}
          loading={isLoading}
          disabled={reasonShort || minutesProblem !== undefined}
          onCancel={onClose}
        />
      </Stack>
    </form>
  );
}

export function ImpersonateModal({ user, onClose }: { user: AdminUserOut | undefined; onClose: () => void }) {
  return (
    <Modal opened={user !== undefined} onClose={onClose} title={<Text fw={600}>Impersonate a user</Text>}>
      {user && <ImpersonateForm key={user.id} user={user} onClose={onClose} />}
    </Modal>
  );
}
