import type { RoleCatalog, RoleOut } from '@custos/shared';
import { Alert, Button, Card, Group, Paper, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconLock, IconPlus, IconSearch } from '@tabler/icons-react';
import { useState } from 'react';
import { hookError, withMissing } from '../../app/errors';
import { ConfirmModal } from '../../ui/ConfirmModal';
import { PageHeader } from '../../ui/PageHeader';
import { EmptyState, LoadError, SectionLoader } from '../../ui/states';
import { useConfirmAction } from '../../ui/useConfirmAction';
import { useGetRolesQuery } from '../members/api';
import { Require } from '../shell/RequirePermission';
import { useCan, useMe } from '../shell/session';
import { useDeleteRoleMutation, useUpdateRoleMutation } from './api';
import { MatrixLegend } from './MatrixLegend';
import {
  changedCount,
  type Grant,
  grantsOf,
  orderRoles,
  type RoleGrants,
  sameGrants,
  sectionsOf,
  withGrant,
} from './matrix';
import { PermissionMatrix } from './PermissionMatrix';
import { RoleFormModal } from './RoleFormModal';
import { SaveBar } from './SaveBar';

interface RoleEditorProps {
  catalog: RoleCatalog;
  canManage: boolean;
  onCreate: () => void;
  onEdit: (role: RoleOut) => void;
}

function RoleEditor({ catalog, canManage, onCreate, onEdit }: RoleEditorProps) {
  const [drafts, setDrafts] = useState<Record<string, RoleGrants>>({});
  const [saveErrors, setSaveErrors] = useState<Record<string, string>>({});
  const [saving, setSaving] = useState(false);
  const [filter, setFilter] = useState('');
  const [updateRole] = useUpdateRoleMutation();
  const [deleteRole, deletion] = useDeleteRoleMutation();
  const deleting = useConfirmAction(
    (role: RoleOut) => deleteRole(role.key),
    deletion,
    (role) => {
      discard(role.key);
      notifications.show({ color: 'teal', message: `Role “${role.name}” deleted` });
    },
  );

  const roles = orderRoles(catalog.roles);
  const sections = sectionsOf(catalog.permissions, filter);
  const hasAppPermissions = catalog.permissions.some((p) => p.source === 'app');
  const hasCustomRoles = roles.some((r) => !r.builtIn);
  const changes: Record<string, number> = {};
  for (const role of roles) {
    const draft = drafts[role.key];
    if (draft) changes[role.key] = changedCount(role, draft);
  }
  const changedRoles = roles.filter((role) => (changes[role.key] ?? 0) > 0);

  function discard(key: string) {
    setDrafts(({ [key]: _dropped, ...rest }) => rest);
    setSaveErrors(({ [key]: _dropped, ...rest }) => rest);
  }

  function grant(role: RoleOut, permission: string, next: Grant) {
    setDrafts((current) => {
      const updated = withGrant(current[role.key] ?? grantsOf(role), permission, next);
      const { [role.key]: _previous, ...rest } = current;
      return sameGrants(updated, role) ? rest : { ...rest, [role.key]: updated };
    });
  }

  /** Saves each changed role in turn; a refused role keeps its draft and shows why. */
  async function saveAll() {
    setSaving(true);
    const saved: string[] = [];
    for (const role of changedRoles) {
      const draft = drafts[role.key];
      if (!draft) continue;
      const result = await updateRole({ key: role.key, body: draft });
      if ('data' in result && result.data) {
        saved.push(role.name);
        discard(role.key);
      } else {
        const error = hookError('error' in result ? result.error : undefined);
        setSaveErrors((current) => ({ ...current, [role.key]: error ? withMissing(error) : 'Not saved' }));
      }
    }
    setSaving(false);
    if (saved.length > 0) {
      notifications.show({
        color: 'teal',
        message:
          saved.length === 1
            ? `Role “${saved[0]}” saved`
            : `${saved.length} roles saved: ${saved.join(', ')}`,
      });
    }
  }

  return (
    <Stack gap="md">
      {!canManage && (
        <Alert color="gray" variant="light" icon={<IconLock size={18} />}>
          You can see roles and their permissions but not change them: that needs the access:manage
          permission. Ask an owner or admin.
        </Alert>
      )}
      {canManage && !hasCustomRoles && (
        <Paper withBorder radius="md" p="md" style={{ borderStyle: 'dashed' }}>
          <Group justify="space-between" gap="md">
            <Stack gap={2}>
              <Text fw={600} size="sm">
                No custom roles yet
              </Text>
              <Text size="sm" c="dimmed">
                When no built-in role fits, create one with exactly the permissions people need, then assign
                it on the Members page.
              </Text>
            </Stack>
            <Button variant="light" leftSection={<IconPlus size={16} />} onClick={onCreate}>
              Create role
            </Button>
          </Group>
        </Paper>
      )}
      <Card withBorder radius="md" padding={0}>
        <Group justify="space-between" px="md" py="sm" gap="md" wrap="wrap">
          <MatrixLegend hasAppPermissions={hasAppPermissions} />
          <TextInput
            placeholder="Filter permissions"
            aria-label="Filter permissions"
            leftSection={<IconSearch size={14} />}
            value={filter}
            onChange={(event) => setFilter(event.currentTarget.value)}
            size="xs"
            w={220}
          />
        </Group>
        {sections.length === 0 ? (
          <EmptyState
            icon={<IconSearch size={24} />}
            title="No permission matches"
            description={`Nothing is called or described as “${filter}”.`}
            action={
              <Button variant="light" onClick={() => setFilter('')}>
                Clear filter
              </Button>
            }
          />
        ) : (
          <PermissionMatrix
            roles={roles}
            sections={sections}
            drafts={drafts}
            changes={changes}
            saveErrors={saveErrors}
            canManage={canManage}
            onGrant={grant}
            onDiscard={(role) => discard(role.key)}
            onEdit={onEdit}
            onDelete={deleting.ask}
          />
        )}
      </Card>
      {!hasAppPermissions && (
        <Text size="xs" c="dimmed">
          Your application's own permissions appear here too, marked App, once it registers them with an API
          key that holds access:register (PUT /api/v1/app-permissions). You can then grant them to any role,
          on everything or on a member's own resources only.
        </Text>
      )}
      <SaveBar
        roles={changedRoles}
        changes={changes}
        saveErrors={saveErrors}
        saving={saving}
        onSave={saveAll}
        onDiscard={() => {
          setDrafts({});
          setSaveErrors({});
        }}
      />
      <ConfirmModal title="Delete role" confirmLabel="Delete role" {...deleting.modal}>
        {deleting.target
          ? `Delete the role “${deleting.target.name}” (${deleting.target.key})? Nobody holds it now; it can no longer be given to members. This cannot be undone.`
          : ''}
      </ConfirmModal>
    </Stack>
  );
}

function RolesBody({ onCreate, onEdit }: { onCreate: () => void; onEdit: (role: RoleOut) => void }) {
  const canManage = useCan('access:manage');
  const { data, error, isLoading, refetch } = useGetRolesQuery();
  if (isLoading) return <SectionLoader label="Loading roles and permissions" />;
  if (!data) return <LoadError error={hookError(error)} what="the roles" onRetry={refetch} />;
  return <RoleEditor catalog={data} canManage={canManage} onCreate={onCreate} onEdit={onEdit} />;
}

export function RolesPage() {
  const me = useMe();
  const canManage = useCan('access:manage');
  const { data } = useGetRolesQuery(undefined, {
    skip: !me.organization || !me.permissions.includes('access:read'),
  });
  const [form, setForm] = useState<{ role: RoleOut | undefined } | undefined>();

  return (
    <>
      <PageHeader
        title="Roles & permissions"
        description="What each role may do. Built-in roles cover the usual jobs; custom roles give people exactly the permissions they need. Changes apply to members' next request."
        actions={
          canManage && me.organization ? (
            <Button leftSection={<IconPlus size={18} />} onClick={() => setForm({ role: undefined })}>
              Create role
            </Button>
          ) : undefined
        }
      />
      <Require organization permission="access:read">
        <RolesBody onCreate={() => setForm({ role: undefined })} onEdit={(role) => setForm({ role })} />
      </Require>
      <RoleFormModal
        opened={form !== undefined}
        roles={data?.roles ?? []}
        role={form?.role}
        onClose={() => setForm(undefined)}
        onCreated={(role) =>
          notifications.show({
            color: 'teal',
            title: `Role “${role.name}” created`,
            message: 'Tick its permissions in the matrix and save, then assign it on the Members page.',
          })
        }
      />
    </>
  );
}
