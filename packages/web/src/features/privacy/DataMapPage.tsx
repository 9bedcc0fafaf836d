import type { PrivacySystemOut } from '@custos/shared';
import { Button, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconDatabase, IconPlus } from '@tabler/icons-react';
import { useState } from 'react';
import { ConfirmModal } from '../../ui/ConfirmModal';
import { PageHeader } from '../../ui/PageHeader';
import { EmptyState } from '../../ui/states';
import { QueryBody, TableCard } from '../../ui/tables';
import { useConfirmAction } from '../../ui/useConfirmAction';
import { Require } from '../shell/RequirePermission';
import { useCan, useMe } from '../shell/session';
import { useListPrivacySystemsQuery, useRemovePrivacySystemMutation } from './api';
import { CategoriesEditorModal } from './CategoriesEditorModal';
import { CustomCategoriesCard } from './CustomCategoriesCard';
import { PrivacySettingsCard } from './PrivacySettingsCard';
import { RetentionCard } from './RetentionCard';
import { SystemFormModal } from './SystemFormModal';
import { SystemSecretModal } from './SystemSecretModal';
import { SystemsTable } from './SystemsTable';

type Secret = { name: string; webhookSecret: string | null };

function DataMap({ canManage }: { canManage: boolean }) {
  const query = useListPrivacySystemsQuery();
  const [editing, setEditing] = useState<{ system: PrivacySystemOut | undefined }>();
  const [categoriesOf, setCategoriesOf] = useState<PrivacySystemOut>();
  const [secret, setSecret] = useState<Secret>();
  const [remove, removal] = useRemovePrivacySystemMutation();
  const removing = useConfirmAction(
    (s: PrivacySystemOut) => remove(s.id),
    removal,
    (s) => notifications.show({ color: 'teal', message: `${s.name} was deleted from the data map` }),
  );
  return (
    <Stack gap="lg">
      <TableCard
        title={{ id: 'systems-title', text: 'Systems', count: query.data?.length }}
        description={
          <Stack gap="xs" align="flex-start">
            <Text size="sm" c="dimmed" maw={720}>
              Every system that holds personal data, with what it holds, why, for how long and how it is
              erased. Each one gets its own task when a request is approved.
            </Text>
            {canManage && (
              <Button
                size="xs"
                variant="light"
                leftSection={<IconPlus size={14} />}
                onClick={() => setEditing({ system: undefined })}
              >
                Add system
              </Button>
            )}
          </Stack>
        }
      >
        <QueryBody
          query={query}
          loadingLabel="Loading the data map"
          what="the data map"
          empty={
            <EmptyState
              icon={<IconDatabase size={24} />}
              title="No systems yet"
              description="Add the systems that hold personal data."
            />
          }
        >
          {(systems) => (
            <SystemsTable
              systems={systems}
              canManage={canManage}
              onEdit={(system) => setEditing({ system })}
              onCategories={setCategoriesOf}
              onRemove={removing.ask}
            />
          )}
        </QueryBody>
      </TableCard>
      <CustomCategoriesCard canManage={canManage} />
      <RetentionCard canManage={canManage} />
      <PrivacySettingsCard canManage={canManage} />
      <SystemFormModal editing={editing} onClose={() => setEditing(undefined)} onSecret={setSecret} />
      <SystemSecretModal shown={secret} onClose={() => setSecret(undefined)} />
      <CategoriesEditorModal system={categoriesOf} onClose={() => setCategoriesOf(undefined)} />
      <ConfirmModal title="Delete this system?" confirmLabel="Delete system" {...removing.modal}>
        {removing.target?.name} leaves the data map with its categories and retention rules, and its tasks on
        requests are deleted with it; the requests’ timelines keep what happened. New requests no longer reach
        it.
      </ConfirmModal>
    </Stack>
  );
}

/** `/privacy/data-map`: the systems holding personal data, their categories, and the privacy settings. */
export function DataMapPage() {
  const me = useMe();
  const canManage = useCan('privacy:manage') && me.organization !== null;
  return (
    <>
      <PageHeader
        title="Data map"
        description="Where personal data lives: each system, whose data it holds, the categories with their purposes and lawful basis, where it is stored, who receives it, how long it is kept and how it is erased. It is your record of processing (GDPR Art. 30)."
      />
      <Require organization permission="privacy:read">
        <DataMap canManage={canManage} />
      </Require>
    </>
  );
}
