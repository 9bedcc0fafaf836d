import type { ApiKeyOut, CreateApiKeyResult } from '@custos/shared';
import { Button, Card } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconKey, IconPlus } from '@tabler/icons-react';
import { type ReactNode, useState } from 'react';
import { hookError } from '../../app/errors';
import { ConfirmModal } from '../../ui/ConfirmModal';
import { PageHeader } from '../../ui/PageHeader';
import { EmptyState, LoadError, SectionLoader } from '../../ui/states';
import { Require } from '../shell/RequirePermission';
import { useCan, useMe } from '../shell/session';
import { ApiKeysTable } from './ApiKeysTable';
import { useListApiKeysQuery, useRevokeApiKeyMutation } from './api';
import { CreateApiKeyModal } from './CreateApiKeyModal';
import { SecretModal } from './SecretModal';

function ApiKeysCard({ onCreate }: { onCreate: () => void }) {
  const canManage = useCan('apikeys:manage');
  const { data: apiKeys, error, isLoading, refetch } = useListApiKeysQuery();
  const [revoking, setRevoking] = useState<ApiKeyOut>();
  const [revoke, revocation] = useRevokeApiKeyMutation();

  function closeRevoke() {
    setRevoking(undefined);
    revocation.reset();
  }

  async function confirmRevoke() {
    if (!revoking) return;
    const result = await revoke(revoking.id);
    if ('data' in result) {
      notifications.show({ color: 'teal', message: `API key “${revoking.name}” revoked` });
      closeRevoke();
    }
  }

  let body: ReactNode;
  if (isLoading) body = <SectionLoader label="Loading API keys" />;
  else if (!apiKeys) body = <LoadError error={hookError(error)} what="the API keys" onRetry={refetch} />;
  else if (apiKeys.length === 0)
    body = (
      <EmptyState
        icon={<IconKey size={24} />}
        title="No API keys yet"
        description="Create a key for each application that sends audit events or asks Custos for access decisions."
        action={
          canManage ? (
            <Button variant="light" leftSection={<IconPlus size={16} />} onClick={onCreate}>
              Create API key
            </Button>
          ) : undefined
        }
      />
    );
  else body = <ApiKeysTable apiKeys={apiKeys} canManage={canManage} onRevoke={setRevoking} />;

  return (
    <Card withBorder padding={0} radius="md">
      {body}
      <ConfirmModal
        opened={revoking !== undefined}
        title="Revoke API key"
        confirmLabel="Revoke key"
        loading={revocation.isLoading}
        error={hookError(revocation.error)}
        onConfirm={confirmRevoke}
        onClose={closeRevoke}
      >
        {revoking
          ? `Applications using “${revoking.name}” (${revoking.prefix}…) stop working immediately. This cannot be undone.`
          : ''}
      </ConfirmModal>
    </Card>
  );
}

export function ApiKeysPage() {
  const me = useMe();
  const canManage = useCan('apikeys:manage');
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreateApiKeyResult>();

  return (
    <>
      <PageHeader
        title="API keys"
        description="Keys your applications use to call Custos. Secrets are shown once, when the key is created."
        actions={
          canManage && me.organization ? (
            <Button leftSection={<IconPlus size={18} />} onClick={() => setCreating(true)}>
              Create API key
            </Button>
          ) : undefined
        }
      />
      <Require organization permission="apikeys:read">
        <ApiKeysCard onCreate={() => setCreating(true)} />
      </Require>
      <CreateApiKeyModal opened={creating} onClose={() => setCreating(false)} onCreated={setCreated} />
      <SecretModal created={created} onClose={() => setCreated(undefined)} />
    </>
  );
}
