import type { AuditSettingsOut, EraseSubjectResult } from '@custos/sdk';
import {
  Alert,
  Badge,
  Button,
  Card,
  Code,
  Group,
  NumberInput,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconCircleCheck, IconEraser, IconGavel, IconLock } from '@tabler/icons-react';
import { type FormEvent, type ReactNode, useState } from 'react';
import { formErrors, hookError } from '../../app/errors';
import { formatCount, formatDateTime, formatTimestamp } from '../../app/format';
import { ConfirmModal } from '../../ui/ConfirmModal';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { LoadError, SectionLoader } from '../../ui/states';
import { useDisplayTimeZone } from '../../ui/timeZone';
import { useCan } from '../shell/session';
import {
  useEraseSubjectMutation,
  useGetAuditCheckpointQuery,
  useGetAuditSettingsQuery,
  useUpdateAuditSettingsMutation,
} from './api';
import { Field } from './Field';
import { HistoryStatus } from './HistoryStatus';
import { HashValue } from './ProofSection';

/** The server's bounds for a retention period. */
const RETENTION_MAX_DAYS = 36_500;

function SettingsCard({
  id,
  title,
  description,
  children,
}: {
  id: string;
  title: string;
  description: ReactNode;
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

function ReadOnlyNote({ permission, what }: { permission: string; what: string }) {
  return (
    <Alert color="gray" variant="light" icon={<IconLock size={18} />}>
      You can see {what} but not change {what === 'these settings' ? 'them' : 'it'}: that needs the{' '}
      {permission} permission. Ask an owner or admin.
    </Alert>
  );
}

/** `''` (keep forever) or a whole number of days within the server's bounds. */
function retentionProblem(days: string | number): string | undefined {
  if (days === '') return undefined;
  const n = Number(days);
  if (!Number.isInteger(n)) return 'A whole number of days';
  if (n < 1 || n > RETENTION_MAX_DAYS)
    return `Between 1 and ${formatCount(RETENTION_MAX_DAYS)} days (100 years)`;
  return undefined;
}

/** Retention as someone without audit:manage sees it: the values, and why they cannot change them. */
function RetentionSummary({ settings }: { settings: AuditSettingsOut }) {
  useDisplayTimeZone();
  return (
    <Stack gap="md" maw={560}>
      <ReadOnlyNote permission="audit:manage" what="these settings" />
      <SimpleGrid cols={2} spacing="sm">
        <Field label="Keep events for">
          <Text size="sm" fw={500} data-testid="retention-days">
            {settings.retentionDays === null ? 'Forever' : `${formatCount(settings.retentionDays)} days`}
          </Text>
        </Field>
        <Field label="Legal hold">
          <div>
            <Badge
              variant="light"
              color={settings.legalHold ? 'yellow' : 'gray'}
              leftSection={settings.legalHold ? <IconGavel size={12} /> : undefined}
            >
              {settings.legalHold ? 'On' : 'Off'}
            </Badge>
          </div>
        </Field>
      </SimpleGrid>
      <Text size="xs" c="dimmed">
        {settings.updatedAt ? `Last changed ${formatDateTime(settings.updatedAt)}` : 'Never changed'}
      </Text>
    </Stack>
  );
}

function RetentionForm({ settings }: { settings: AuditSettingsOut }) {
  useDisplayTimeZone();
  const [days, setDays] = useState<string | number>(settings.retentionDays ?? '');
  const [legalHold, setLegalHold] = useState(settings.legalHold);
  const [update, { isLoading, error, reset }] = useUpdateAuditSettingsMutation();
  const apiError = hookError(error);
  const errors = formErrors(apiError, ['retentionDays', 'legalHold']);
  const problem = retentionProblem(days);
  const retentionDays = days === '' ? null : Number(days);
  const unchanged = retentionDays === settings.retentionDays && legalHold === settings.legalHold;

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (problem) return;
    const result = await update({ retentionDays, legalHold });
    if ('data' in result) notifications.show({ color: 'teal', message: 'Audit retention saved' });
  }

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md" maw={560}>
        <NumberInput
          label="Keep events for"
          description="Leave empty to keep events forever."
          placeholder="Forever"
          rightSection={
            <Text size="sm" c="dimmed" pr="sm">
              days
            </Text>
          }
          rightSectionWidth={56}
          value={days}
          onChange={(value) => {
            setDays(value);
            if (apiError) reset();
          }}
          allowDecimal={false}
          allowNegative={false}
          min={1}
          max={RETENTION_MAX_DAYS}
          clampBehavior="none"
          hideControls
          error={problem ?? errors.fields.retentionDays}
          w={240}
        />
        <Switch
          label="Legal hold"
          description="While on, retention purges nothing, whatever the period. Turn it on when litigation or an investigation requires you to preserve records."
          checked={legalHold}
          onChange={(event) => {
            setLegalHold(event.currentTarget.checked);
            if (apiError) reset();
          }}
        />
        {legalHold && retentionDays !== null && (
          <Alert color="yellow" variant="light" icon={<IconGavel size={18} />} py="xs">
            The legal hold pauses retention: no event is purged until the hold is lifted.
          </Alert>
        )}
        <ErrorAlert error={errors.fields.retentionDays ? undefined : apiError} extra={errors.other} />
        <Group gap="md">
          <Button type="submit" loading={isLoading} disabled={unchanged || problem !== undefined}>
            Save retention
          </Button>
          <Text size="xs" c="dimmed">
            {settings.updatedAt ? `Last changed ${formatDateTime(settings.updatedAt)}` : 'Never changed'}
          </Text>
        </Group>
      </Stack>
    </form>
  );
}

function RetentionCard() {
  const canManage = useCan('audit:manage');
  const { data, error, isLoading, refetch } = useGetAuditSettingsQuery();
  return (
    <SettingsCard
      id="audit-retention-title"
      title="Retention"
      description="Events older than the retention period are purged: their contents are deleted, while their place and hash stay in the log, so every proof still verifies."
    >
      {isLoading ? (
        <SectionLoader label="Loading retention settings" />
      ) : data ? (
        canManage ? (
          <RetentionForm key={data.updatedAt ?? 'never'} settings={data} />
        ) : (
          <RetentionSummary settings={data} />
        )
      ) : (
        <LoadError error={hookError(error)} what="the retention settings" onRetry={refetch} />
      )}
    </SettingsCard>
  );
}

function CheckpointCard() {
  useDisplayTimeZone();
  const { data, error, isLoading } = useGetAuditCheckpointQuery();
  const apiError = hookError(error);
  return (
    <SettingsCard
      id="audit-checkpoint-title"
      title="Signed checkpoint"
      description="Every few seconds Custos signs the root hash of the log. Keep copies elsewhere: a later checkpoint that does not extend one you kept proves the log was rewritten."
    >
      {isLoading && <SectionLoader label="Loading the latest checkpoint" />}
      {apiError && (
        <Text size="sm" c={apiError.status === 404 ? 'dimmed' : 'red'}>
          {apiError.status === 404
            ? 'No events have been recorded yet, so nothing is signed.'
            : apiError.message}
        </Text>
      )}
      {data && (
        <Stack gap="sm">
          <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
            <Field label="Events in the log">
              <Text size="sm">{formatCount(data.treeSize)}</Text>
            </Field>
            <Field label="Signed">
              <Text size="sm">{formatTimestamp(data.createdAt)}</Text>
            </Field>
            <Field label="Origin">
              <Text size="sm" className="custos-mono">
                {data.origin}
              </Text>
            </Field>
          </SimpleGrid>
          <Field label="Root hash">
            <HashValue value={data.rootHash} label="root hash" />
          </Field>
          <Field label="Signed note">
            <Code block style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
              {data.note}
            </Code>
          </Field>
          <HistoryStatus />
        </Stack>
      )}
    </SettingsCard>
  );
}

function EraseSubjectCard() {
  const canErase = useCan('privacy:erase');
  const [subject, setSubject] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [done, setDone] = useState<{ subject: string; result: EraseSubjectResult }>();
  const [erase, { isLoading, error, reset }] = useEraseSubjectMutation();
  const apiError = hookError(error);
  const errors = formErrors(apiError, ['subject']);
  const trimmed = subject.trim();

  async function confirm() {
    const result = await erase(trimmed);
    if ('data' in result && result.data) {
      setDone({ subject: trimmed, result: result.data });
      setSubject('');
      setConfirming(false);
      reset();
      notifications.show({ color: 'teal', message: `Personal data of “${trimmed}” erased` });
    }
  }

  return (
    <SettingsCard
      id="audit-erase-title"
      title="Erase a person’s personal data"
      description="Answers a right-to-erasure request: the keys that encrypted this person's personal data are destroyed, so their names, e-mail and IP addresses, and the fields your applications flagged as personal, can no longer be read in any audit event. The events and their proofs stay."
    >
      <Stack gap="md" maw={560}>
        {!canErase && <ReadOnlyNote permission="privacy:erase" what="this form" />}
        <form
          onSubmit={(event) => {
            event.preventDefault();
            if (trimmed) setConfirming(true);
          }}
          noValidate
        >
          <Group align="flex-start" gap="sm">
            <TextInput
              label="Data subject"
              description="A member's user id or e-mail address, or the subject id your application sent."
              placeholder="user id, e-mail or subject id"
              value={subject}
              onChange={(event) => {
                setSubject(event.currentTarget.value);
                if (apiError) reset();
              }}
              error={errors.fields.subject}
              maxLength={254}
              disabled={!canErase}
              style={{ flex: 1 }}
            />
          </Group>
          {canErase && (
            <Group mt="md">
              <Button
                type="submit"
                color="red"
                variant="light"
                leftSection={<IconEraser size={16} />}
                disabled={!trimmed}
              >
                Erase personal data…
              </Button>
            </Group>
          )}
        </form>
        {done && (
          <Alert
            color="teal"
            variant="light"
            icon={<IconCircleCheck size={18} />}
            title={`“${done.subject}” erased`}
          >
            {formatCount(done.result.keysDestroyed)} {done.result.keysDestroyed === 1 ? 'key' : 'keys'}{' '}
            destroyed; {formatCount(done.result.eventsAffected)}{' '}
            {done.result.eventsAffected === 1 ? 'event' : 'events'} now show their personal fields as erased.
          </Alert>
        )}
      </Stack>
      <ConfirmModal
        opened={confirming}
        title="Erase personal data"
        confirmLabel="Erase for good"
        loading={isLoading}
        error={errors.fields.subject ? undefined : apiError}
        onConfirm={confirm}
        onClose={() => {
          setConfirming(false);
          reset();
        }}
      >
        The personal data of “{trimmed}” becomes unreadable in every audit event of this organization. This
        cannot be undone: no one, not even an administrator, can recover it.
      </ConfirmModal>
    </SettingsCard>
  );
}

/** The audit page's second tab: retention and legal hold, the signed checkpoint, erasure. */
export function AuditSettings() {
  return (
    <Stack gap="lg">
      <RetentionCard />
      <CheckpointCard />
      <EraseSubjectCard />
    </Stack>
  );
}
