import type { AlertChannelCreated, AlertChannelOut, AlertDeliveryOut } from '@custos/shared';
import { Button, Stack } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconBellRinging, IconList, IconPlus } from '@tabler/icons-react';
import { useState } from 'react';
import { Link } from 'react-router';
import { type ApiError, hookError } from '../../app/errors';
import { ConfirmModal } from '../../ui/ConfirmModal';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { PageHeader } from '../../ui/PageHeader';
import { EmptyState } from '../../ui/states';
import { QueryBody, TableCard } from '../../ui/tables';
import { useConfirmAction } from '../../ui/useConfirmAction';
import { Require } from '../shell/RequirePermission';
import { useCan, useMe } from '../shell/session';
import { useEmailOff } from '../system/api';
import { AlertEmailOffNotice } from './AlertEmailOffNotice';
import {
  useDeleteAlertChannelMutation,
  useListAlertChannelsQuery,
  useRotateAlertChannelSecretMutation,
  useTestAlertChannelMutation,
  useUpdateAlertChannelMutation,
} from './api';
import { ChannelFormModal } from './ChannelFormModal';
import { ChannelsTable } from './ChannelsTable';
import { SecretModal } from './SecretModal';
import { SignatureHelp } from './SignatureHelp';
import { TestResultModal } from './TestResultModal';

type Editing = { channel: AlertChannelOut | undefined } | undefined;

function Channels({ onAdd, onEdit }: { onAdd: () => void; onEdit: (channel: AlertChannelOut) => void }) {
  const canManage = useCan('security:manage');
  const query = useListAlertChannelsQuery();
  const emailOff = useEmailOff();
  const [busyId, setBusyId] = useState<string>();
  const [actionError, setActionError] = useState<ApiError>();
  const [secret, setSecret] = useState<{ channel: AlertChannelCreated; rotated: boolean }>();
  const [testResult, setTestResult] = useState<AlertDeliveryOut>();
  const [update] = useUpdateAlertChannelMutation();
  const [test] = useTestAlertChannelMutation();
  const [rotate, rotation] = useRotateAlertChannelSecretMutation();
  const [remove, removal] = useDeleteAlertChannelMutation();

  const rotating = useConfirmAction(
    async (channel: AlertChannelOut) => {
      const result = await rotate(channel.id);
      if ('data' in result && result.data) setSecret({ channel: result.data, rotated: true });
      return result;
    },
    rotation,
    () => undefined,
  );
  const deleting = useConfirmAction(
    (channel: AlertChannelOut) => remove(channel.id),
    removal,
    (channel) => notifications.show({ color: 'teal', message: `Channel “${channel.name}” deleted` }),
  );

  async function busy<T>(channel: AlertChannelOut, work: () => Promise<T>): Promise<T> {
    setBusyId(channel.id);
    setActionError(undefined);
    try {
      return await work();
    } finally {
      setBusyId(undefined);
    }
  }

  async function toggle(channel: AlertChannelOut, enabled: boolean) {
    const result = await busy(channel, () => update({ id: channel.id, body: { enabled } }));
    if ('error' in result) setActionError(hookError(result.error));
    else
      notifications.show({ color: 'teal', message: `“${channel.name}” ${enabled ? 'enabled' : 'disabled'}` });
  }

  async function sendTest(channel: AlertChannelOut) {
    const result = await busy(channel, () => test(channel.id));
    if ('error' in result) setActionError(hookError(result.error));
    else if (result.data) setTestResult(result.data);
  }

  return (
    <>
      {query.data?.some((channel) => channel.kind === 'email') && <AlertEmailOffNotice />}
      <ErrorAlert error={actionError} />
      <TableCard
        title={{
          id: 'alert-channels-title',
          text: 'Channels',
          ...(query.data ? { count: query.data.length } : {}),
        }}
      >
        <QueryBody
          query={query}
          loadingLabel="Loading alert channels"
          what="the alert channels"
          empty={
            <EmptyState
              icon={<IconBellRinging size={24} />}
              title="No alert channels"
              description="Add a webhook (your SIEM, a chat bridge, an on-call tool) or an e-mail list, and Custos tells it about security events as they are raised."
              action={
                canManage ? (
                  <Button leftSection={<IconPlus size={16} />} onClick={onAdd}>
                    Add channel
                  </Button>
                ) : undefined
              }
            />
          }
        >
          {(channels) => (
            <ChannelsTable
              channels={channels}
              canManage={canManage}
              busyId={busyId}
              emailOff={emailOff}
              onEdit={onEdit}
              onToggle={(channel, enabled) => void toggle(channel, enabled)}
              onTest={(channel) => void sendTest(channel)}
              onRotate={rotating.ask}
              onDelete={deleting.ask}
            />
          )}
        </QueryBody>
      </TableCard>
      <ConfirmModal title="Rotate the signing secret?" confirmLabel="Rotate secret" {...rotating.modal}>
        {rotating.target
          ? `“${rotating.target.name}” gets a new secret now, shown once. Messages signed with the old secret stop verifying, so update the receiver right away.`
          : null}
      </ConfirmModal>
      <ConfirmModal title="Delete this channel?" confirmLabel="Delete channel" {...deleting.modal}>
        {deleting.target
          ? `“${deleting.target.name}” stops receiving alerts, and its pending deliveries are dropped.`
          : null}
      </ConfirmModal>
      <SecretModal shown={secret} onClose={() => setSecret(undefined)} />
      <TestResultModal result={testResult} onClose={() => setTestResult(undefined)} />
    </>
  );
}

/** `/security/alerts`: where security events are sent (webhooks, e-mail), with routing and secrets. */
export function AlertChannelsPage() {
  const me = useMe();
  const canRead = useCan('security:read') && me.organization !== null;
  const canManage = useCan('security:manage') && canRead;
  const [editing, setEditing] = useState<Editing>();
  const [created, setCreated] = useState<AlertChannelCreated>();
  return (
    <>
      <PageHeader
        title="Alerts"
        description="Channels that hear about security events as they happen: signed webhooks and e-mail. Each channel picks the severities and types it wants, and can keep the audit log's signed checkpoints outside Custos."
        actions={
          canRead ? (
            <>
              <Button
                component={Link}
                to="/security/alerts/deliveries"
                variant="default"
                leftSection={<IconList size={16} />}
              >
                Delivery log
              </Button>
              {canManage && (
                <Button
                  leftSection={<IconPlus size={16} />}
                  onClick={() => setEditing({ channel: undefined })}
                >
                  Add channel
                </Button>
              )}
            </>
          ) : undefined
        }
      />
      <Require organization permission="security:read">
        <Stack gap="lg">
          <Channels
            onAdd={() => setEditing({ channel: undefined })}
            onEdit={(channel) => setEditing({ channel })}
          />
          <SignatureHelp />
        </Stack>
      </Require>
      <ChannelFormModal editing={editing} onClose={() => setEditing(undefined)} onCreated={setCreated} />
      <SecretModal
        shown={created ? { channel: created, rotated: false } : undefined}
        onClose={() => setCreated(undefined)}
      />
    </>
  );
}
