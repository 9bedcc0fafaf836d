import type { ThreatSettingsOut } from '@custos/shared';
import { Alert, Button, Group, List, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconAlertCircle, IconLock } from '@tabler/icons-react';
import { useState } from 'react';
import { hookError } from '../../app/errors';
import { formatDateTime } from '../../app/format';
import { PageHeader } from '../../ui/PageHeader';
import { LoadError, SectionLoader } from '../../ui/states';
import { useDisplayTimeZone } from '../../ui/timeZone';
import { Require } from '../shell/RequirePermission';
import { useCan } from '../shell/session';
import { useGetThreatSettingsQuery, useUpdateThreatSettingsMutation } from './api';
import { DetectorCard } from './DetectorCard';
import { ResponseRulesEditor } from './ResponseRulesEditor';
import {
  changeCount,
  draftOf,
  draftProblems,
  OTHER_FIELD,
  responsesChanged,
  type SettingsDraft,
  serverProblems,
  updateBody,
} from './settingsDraft';

interface SaveBarProps {
  changes: number;
  saving: boolean;
  other: string[] | undefined;
  message: string | undefined;
  onSave: () => void;
  onDiscard: () => void;
}

/** Stays at the foot of the window while there are unsaved changes. */
function SaveBar({ changes, saving, other, message, onSave, onDiscard }: SaveBarProps) {
  if (changes === 0) return null;
  return (
    <Paper
      className="custos-save-bar"
      withBorder
      shadow="md"
      radius="md"
      p="sm"
      role="region"
      aria-label="Unsaved changes"
    >
      <Stack gap="xs">
        {(message || other) && (
          <Alert color="red" variant="light" icon={<IconAlertCircle size={18} />} role="alert" p="xs">
            {message}
            {other && (
              <List size="sm" mt={message ? 4 : 0}>
                {other.map((line) => (
                  <List.Item key={line}>{line}</List.Item>
                ))}
              </List>
            )}
          </Alert>
        )}
        <Group justify="space-between" gap="sm">
          <Text size="sm">{changes === 1 ? '1 unsaved change' : `${changes} unsaved changes`}</Text>
          <Group gap="sm">
            <Button variant="default" onClick={onDiscard} disabled={saving}>
              Discard
            </Button>
            <Button onClick={onSave} loading={saving}>
              Save changes
            </Button>
          </Group>
        </Group>
      </Stack>
    </Paper>
  );
}

function SettingsForm({ settings }: { settings: ThreatSettingsOut }) {
  useDisplayTimeZone();
  const canManage = useCan('security:manage');
  const [saved, setSaved] = useState(settings);
  const [draft, setDraft] = useState<SettingsDraft>(() => draftOf(settings));
  const [tried, setTried] = useState(false);
  const [save, { isLoading, error, reset }] = useUpdateThreatSettingsMutation();
  const savedDraft = draftOf(saved);
  const changes = changeCount(draft, saved);
  const local = draftProblems(draft);
  const fromServer = serverProblems(hookError(error));
  const problems: Record<string, string[]> = { ...fromServer };
  if (tried) for (const [field, message] of Object.entries(local)) problems[field] = [message];
  const apiError = hookError(error);
  const placedAll = apiError && Object.keys(fromServer).length > 0 && !fromServer[OTHER_FIELD];

  function edit(next: SettingsDraft) {
    setDraft(next);
    if (error) reset();
  }

  async function submit() {
    setTried(true);
    if (Object.keys(local).length > 0) return;
    const result = await save(updateBody(draft, saved));
    if ('data' in result && result.data) {
      setSaved(result.data);
      setDraft(draftOf(result.data));
      setTried(false);
      notifications.show({ color: 'teal', message: 'Detection settings saved' });
    }
  }

  function discard() {
    setDraft(draftOf(saved));
    setTried(false);
    reset();
  }

  const errorMessage =
    tried && Object.keys(local).length > 0
      ? 'Some fields need a value before saving.'
      : apiError
        ? placedAll
          ? `${apiError.message} See the marked fields.`
          : apiError.message
        : undefined;

  return (
    <Stack gap="lg">
      {!canManage && (
        <Alert color="gray" variant="light" icon={<IconLock size={18} />}>
          You can see the detection settings but not change them: that needs the security:manage permission.
        </Alert>
      )}
      <Stack gap="sm">
        <Group justify="space-between" align="baseline">
          <Title order={4}>Detectors</Title>
          <Text size="xs" c="dimmed">
            {saved.updatedAt ? `Last changed ${formatDateTime(saved.updatedAt)}` : 'Using the defaults'}
          </Text>
        </Group>
        <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="lg" verticalSpacing="lg">
          {saved.catalog.map((info) => {
            const own = draft.detectors[info.type];
            const stored = savedDraft.detectors[info.type];
            if (!own || !stored) return null;
            return (
              <DetectorCard
                key={info.type}
                info={info}
                draft={own}
                saved={stored}
                problems={problems}
                canManage={canManage}
                onChange={(next) => edit({ ...draft, detectors: { ...draft.detectors, [info.type]: next } })}
              />
            );
          })}
        </SimpleGrid>
      </Stack>
      <ResponseRulesEditor
        rules={draft.responses}
        changed={responsesChanged(draft, saved)}
        canManage={canManage}
        problems={problems}
        onChange={(responses) => edit({ ...draft, responses })}
      />
      {canManage && (
        <SaveBar
          changes={changes}
          saving={isLoading}
          other={fromServer[OTHER_FIELD]}
          message={errorMessage}
          onSave={() => void submit()}
          onDiscard={discard}
        />
      )}
    </Stack>
  );
}

function SettingsBody() {
  const { data, error, isLoading, refetch } = useGetThreatSettingsQuery();
  if (isLoading) return <SectionLoader label="Loading the detection settings" />;
  if (!data)
    return (
      <LoadError error={hookError(error)} what="the detection settings" onRetry={() => void refetch()} />
    );
  // Saved elsewhere (another admin, another tab): the form starts again from what is stored.
  return <SettingsForm key={data.updatedAt ?? 'defaults'} settings={data} />;
}

/** `/security/detection`: each detector's switch, severity and thresholds, and the response rules. */
export function DetectionSettingsPage() {
  return (
    <>
      <PageHeader
        title="Detection"
        description="What the detectors watch for, how sure they must be before raising an event, and what Custos does by itself when they fire. Saving asks you to confirm it is you."
      />
      <Require organization permission="security:read">
        <SettingsBody />
      </Require>
    </>
  );
}
