import type { SecurityPolicy, SecurityPolicyOut } from '@custos/shared';
import {
  Alert,
  Button,
  Card,
  Fieldset,
  Group,
  NumberInput,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconLock } from '@tabler/icons-react';
import { type FormEvent, type ReactNode, useState } from 'react';
import { formErrors, hookError } from '../../app/errors';
import { formatDateTime } from '../../app/format';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { PageHeader } from '../../ui/PageHeader';
import { LoadError, SectionLoader } from '../../ui/states';
import { useDisplayTimeZone } from '../../ui/timeZone';
import { RolesSelect } from '../members/RolesSelect';
import { Require } from '../shell/RequirePermission';
import { useCan } from '../shell/session';
import { useGetSecurityPolicyQuery, useUpdateSecurityPolicyMutation } from './api';
import {
  changedFields,
  draftOf,
  type NumberField,
  rangeOf,
  type SecurityPolicyDraft,
  validateDraft,
} from './policyDraft';

function PolicySection({
  id,
  title,
  description,
  children,
}: {
  id: string;
  title: string;
  description: string;
  children: ReactNode;
}) {
  return (
    <Card withBorder padding="lg" radius="md" component="section" aria-labelledby={id}>
      <Stack gap="md">
        <Stack gap={2}>
          <Title order={4} id={id}>
            {title}
          </Title>
          <Text size="sm" c="dimmed">
            {description}
          </Text>
        </Stack>
        {children}
      </Stack>
    </Card>
  );
}

interface NumberFieldProps {
  field: NumberField;
  label: string;
  unit: string;
  description?: string;
  draft: SecurityPolicyDraft;
  error: string | undefined;
  onChange: (field: NumberField, value: number | string) => void;
}

function PolicyNumber({ field, label, unit, description, draft, error, onChange }: NumberFieldProps) {
  const { min, max } = rangeOf(field);
  return (
    <NumberInput
      label={label}
      description={description ?? `${min.toLocaleString()}–${max.toLocaleString()} ${unit}`}
      value={draft[field]}
      onChange={(value) => onChange(field, value)}
      rightSection={
        <Text size="sm" c="dimmed" pr="sm">
          {unit}
        </Text>
      }
      rightSectionWidth={unit.length * 8 + 24}
      allowDecimal={false}
      allowNegative={false}
      clampBehavior="none"
      hideControls
      error={error}
    />
  );
}

function PolicyForm({ saved, canManage }: { saved: SecurityPolicyOut; canManage: boolean }) {
  useDisplayTimeZone();
  const [draft, setDraft] = useState<SecurityPolicyDraft>(() => draftOf(saved));
  const [update, { isLoading, error, reset }] = useUpdateSecurityPolicyMutation();
  const apiError = hookError(error);
  const { policy, problems } = validateDraft(draft);
  const changes = policy ? changedFields(policy, saved) : {};
  const changedCount = Object.keys(changes).length;
  const serverErrors = formErrors(apiError, Object.keys(draft));
  const problemOf = (field: keyof SecurityPolicy) => problems[field] ?? serverErrors.fields[field];

  function set<K extends keyof SecurityPolicyDraft>(field: K, value: SecurityPolicyDraft[K]) {
    setDraft((current) => ({ ...current, [field]: value }));
    if (apiError) reset();
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!policy || changedCount === 0) return;
    const result = await update(changes);
    if ('data' in result && result.data) {
      setDraft(draftOf(result.data));
      notifications.show({ color: 'teal', message: 'Security policy saved' });
    }
  }

  const numberProps = { draft, onChange: set };

  return (
    <form onSubmit={submit} noValidate>
      <Fieldset variant="unstyled" disabled={!canManage}>
        <Stack gap="lg">
          {!canManage && (
            <Alert color="gray" variant="light" icon={<IconLock size={18} />}>
              You can see the security policy but not change it: that needs the security:manage permission.
              Ask an owner or admin.
            </Alert>
          )}
          <PolicySection
            id="policy-mfa-title"
            title="Two-step verification"
            description="Who must add an authenticator app or a passkey. Members without one are reminded on every page until the grace period ends, then can only set it up."
          >
            <Stack gap={4}>
              <Text size="sm" fw={500} id="mfa-requirement-label">
                Require two-step verification
              </Text>
              <SegmentedControl
                aria-labelledby="mfa-requirement-label"
                value={draft.mfaRequirement}
                onChange={(value) => set('mfaRequirement', value as SecurityPolicyDraft['mfaRequirement'])}
                data={[
                  { value: 'off', label: 'Not required' },
                  { value: 'all', label: 'Everyone' },
                  { value: 'roles', label: 'Chosen roles' },
                ]}
                w={{ base: '100%', sm: 420 }}
              />
            </Stack>
            {draft.mfaRequirement === 'roles' && (
              <RolesSelect
                label="Roles that must use it"
                value={draft.mfaRoles}
                onChange={(roles) => set('mfaRoles', roles)}
                error={problemOf('mfaRoles')}
              />
            )}
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <PolicyNumber
                field="mfaGraceDays"
                label="Grace period"
                unit="days"
                description="Days a member has to set it up; 0 asks at the next sign-in."
                error={problemOf('mfaGraceDays')}
                {...numberProps}
              />
              <PolicyNumber
                field="stepUpMinutes"
                label="Re-verify sensitive actions after"
                unit="minutes"
                description="Changing factors or this policy asks for a fresh verification this often."
                error={problemOf('stepUpMinutes')}
                {...numberProps}
              />
            </SimpleGrid>
          </PolicySection>

          <PolicySection
            id="policy-sessions-title"
            title="Sessions"
            description="How long a sign-in lasts and how many a member may have at once. Changes apply to new activity of existing sessions too."
          >
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <PolicyNumber
                field="idleTimeoutMinutes"
                label="Sign out after inactivity"
                unit="minutes"
                error={problemOf('idleTimeoutMinutes')}
                {...numberProps}
              />
              <PolicyNumber
                field="absoluteLifetimeHours"
                label="Sign out in any case after"
                unit="hours"
                error={problemOf('absoluteLifetimeHours')}
                {...numberProps}
              />
              <PolicyNumber
                field="maxConcurrentSessions"
                label="Sessions per member at once"
                unit="sessions"
                description="0 for no limit."
                error={problemOf('maxConcurrentSessions')}
                {...numberProps}
              />
              <Select
                label="When a member is at the limit"
                description={
                  Number(draft.maxConcurrentSessions) === 0 ? 'No limit is set.' : 'On the next sign-in.'
                }
                data={[
                  { value: 'deny_new', label: 'Refuse the new sign-in' },
                  { value: 'end_oldest', label: 'End their oldest session' },
                ]}
                value={draft.sessionLimitAction}
                onChange={(value) =>
                  value && set('sessionLimitAction', value as SecurityPolicyDraft['sessionLimitAction'])
                }
                disabled={Number(draft.maxConcurrentSessions) === 0}
                allowDeselect={false}
                comboboxProps={{ withinPortal: true }}
              />
            </SimpleGrid>
          </PolicySection>

          <PolicySection
            id="policy-passwords-title"
            title="Passwords"
            description="Applies when members set a new password; existing passwords keep working."
          >
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <PolicyNumber
                field="passwordMinLength"
                label="Minimum length"
                unit="characters"
                error={problemOf('passwordMinLength')}
                {...numberProps}
              />
            </SimpleGrid>
          </PolicySection>

          {canManage && (
            <Stack gap="xs">
              <ErrorAlert
                error={Object.keys(serverErrors.fields).length > 0 ? undefined : apiError}
                extra={serverErrors.other}
              />
              <Group gap="md">
                <Button type="submit" loading={isLoading} disabled={!policy || changedCount === 0}>
                  {changedCount > 1 ? `Save ${changedCount} changes` : 'Save changes'}
                </Button>
                <Button
                  variant="default"
                  disabled={changedCount === 0 && policy !== undefined}
                  onClick={() => {
                    setDraft(draftOf(saved));
                    reset();
                  }}
                >
                  Discard
                </Button>
                <Text size="xs" c="dimmed">
                  {saved.updatedAt
                    ? `Last changed ${formatDateTime(saved.updatedAt)}`
                    : 'The defaults; never changed'}
                </Text>
              </Group>
            </Stack>
          )}
        </Stack>
      </Fieldset>
    </form>
  );
}

function PolicyBody() {
  const canManage = useCan('security:manage');
  const { data, error, isLoading, refetch } = useGetSecurityPolicyQuery();
  if (isLoading) return <SectionLoader label="Loading the security policy" />;
  if (!data) return <LoadError error={hookError(error)} what="the security policy" onRetry={refetch} />;
  return <PolicyForm key={data.updatedAt ?? 'defaults'} saved={data} canManage={canManage} />;
}

export function SecurityPolicyPage() {
  return (
    <>
      <PageHeader
        title="Security policy"
        description="How members of this organization sign in: two-step verification, session lifetime and limits, password length."
      />
      <Require organization permission="security:read">
        <PolicyBody />
      </Require>
    </>
  );
}
