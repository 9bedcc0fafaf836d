import type { ApiKeyOut, CreateApiKeyResult } from '@custos/shared';
import { Button } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconKey, IconPlus } from '@tabler/icons-react';
import { useState } from 'react';
import { ConfirmModal } from '../../ui/ConfirmModal';
import { PageHeader } from '../../ui/PageHeader';
import { EmptyState } from '../../ui/states';
import { QueryBody, TableCard } from '../../ui/tables';
import { useConfirmAction } from '../../ui/useConfirmAction';
import { Require } from '../shell/RequirePermission';
import { useCan, useMe } from '../shell/session';
import { ApiKeysTable } from './ApiKeysTable';
import { useListApiKeysQuery, useRevokeApiKeyMutation } from './api';
import { CreateApiKeyModal } from './CreateApiKeyModal';
import { SecretModal } from './SecretModal';

function ApiKeysCard({ onCreate }: { onCreate: () => void }) {
  const canManage = useCan('apikeys:manage');
  const query = useListApiKeysQuery();
  const [revoke, revocation] = useRevokeApiKeyMutation();
  const revoking = useConfirmAction(
    (key: ApiKeyOut) => revoke(key.id),
    revocation,
    (key) => notifications.show({ color: 'teal', message: `API key “${key.name}” revoked` }),
  );

  return (
    <TableCard>
      <QueryBody
        query={query}
        loadingLabel="Loading API keys"
        what="the API keys"
        empty={
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
        }
      >
        {(apiKeys) => <ApiKeysTable apiKeys={apiKeys} canManage={canManage} onRevoke={revoking.ask} />}
      </QueryBody>
      <ConfirmModal title="Revoke API key" confirmLabel="Revoke key" {...revoking.modal}>
        {revoking.target
          ? `Applications using “${revoking.target.name}” (${revoking.target.prefix}…) stop working immediately. This cannot be undone.`
          : ''}
      </ConfirmModal>
    </TableCard>
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
