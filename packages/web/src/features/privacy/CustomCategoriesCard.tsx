import type { CustomCategoryOut } from '@custos/shared';
import {
  ActionIcon,
  Button,
  Group,
  Modal,
  Stack,
  Switch,
  Table,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconCategory, IconPencil, IconPlus, IconTrash } from '@tabler/icons-react';
import { type FormEvent, useState } from 'react';
import { formErrors, hookError } from '../../app/errors';
import { ConfirmModal } from '../../ui/ConfirmModal';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { FormActions } from '../../ui/FormActions';
import { EmptyState, LoadError, SectionLoader } from '../../ui/states';
import { ActionsHeader, DataTable, TableCard } from '../../ui/tables';
import { useConfirmAction } from '../../ui/useConfirmAction';
import {
  useCreatePrivacyCategoryMutation,
  useListPrivacyCategoriesQuery,
  useRemovePrivacyCategoryMutation,
  useUpdatePrivacyCategoryMutation,
} from './api';
import { CategoryFlags, PHI_EXPLAINED, SPECIAL_EXPLAINED } from './CategoriesEditorModal';
import { slugOf } from './categoryDraft';

function CategoryForm({
  category,
  onClose,
}: {
  category: CustomCategoryOut | undefined;
  onClose: () => void;
}) {
  const [name, setName] = useState(category?.name ?? '');
  const [description, setDescription] = useState(category?.description ?? '');
  const [special, setSpecial] = useState(category?.special ?? false);
  const [phi, setPhi] = useState(category?.phi ?? false);
  const [tried, setTried] = useState(false);
  const [create, creation] = useCreatePrivacyCategoryMutation();
  const [update, updating] = useUpdatePrivacyCategoryMutation();
  const mutation = category ? updating : creation;
  const apiError = hookError(mutation.error);
  const server = formErrors(apiError, ['name', 'slug', 'description']);
  const slug = slugOf(name);
  const nameProblem = !name.trim()
    ? 'Give the category a name'
    : !category && slug.length < 2
      ? 'Start the name with a letter'
      : undefined;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setTried(true);
    if (nameProblem) return;
    const fields = { name: name.trim(), description: description.trim(), special, phi };
    const result = category
      ? await update({ id: category.id, body: fields })
      : await create({ ...fields, slug });
    if ('data' in result && result.data) {
      notifications.show({ color: 'teal', message: `Category “${result.data.name}” saved` });
      onClose();
    }
  }

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <TextInput
          label="Name"
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          description={category ? `Key: ${category.key}` : slug ? `Key: custom.${slug}` : 'E.g. Loyalty tier'}
          error={(tried ? nameProblem : undefined) ?? server.fields.name ?? server.fields.slug}
          maxLength={200}
          required
          data-autofocus
        />
        <Textarea
          label="Description"
          description="What the data is, in words a colleague understands."
          value={description}
          onChange={(e) => setDescription(e.currentTarget.value)}
          error={server.fields.description}
          maxLength={2000}
          autosize
          minRows={2}
        />
        <Switch
          label="Special category"
          description={SPECIAL_EXPLAINED}
          checked={special}
          onChange={(e) => setSpecial(e.currentTarget.checked)}
        />
        <Switch
          label="HIPAA identifier"
          description={PHI_EXPLAINED}
          checked={phi}
          onChange={(e) => setPhi(e.currentTarget.checked)}
        />
        <ErrorAlert error={Object.keys(server.fields).length ? undefined : apiError} extra={server.other} />
        <FormActions
          submitLabel={category ? 'Save category' : 'Add category'}
          loading={mutation.isLoading}
          disabled={false}
          onCancel={onClose}
        />
      </Stack>
    </form>
  );
}

/** The organization's own data categories, beside the built-in taxonomy. */
export function CustomCategoriesCard({ canManage }: { canManage: boolean }) {
  const query = useListPrivacyCategoriesQuery();
  const [editing, setEditing] = useState<{ category: CustomCategoryOut | undefined }>();
  const [remove, removal] = useRemovePrivacyCategoryMutation();
  const removing = useConfirmAction(
    (c: CustomCategoryOut) => remove(c.id),
    removal,
    (c) => notifications.show({ color: 'teal', message: `Category “${c.name}” deleted` }),
  );
  const custom = query.data?.custom;
  return (
    <TableCard
      title={{ id: 'custom-categories-title', text: 'Your categories', count: custom?.length }}
      description={
        <Group justify="space-between" align="flex-end" gap="sm">
          <Text size="sm" c="dimmed" maw={560}>
            Kinds of personal data the built-in list ({formatBuiltIn(query.data?.builtIn.length)}) does not
            cover.
          </Text>
          {canManage && (
            <Button
              size="xs"
              variant="light"
              leftSection={<IconPlus size={14} />}
              onClick={() => setEditing({ category: undefined })}
            >
              Add category
            </Button>
          )}
        </Group>
      }
    >
      {query.isLoading ? (
        <SectionLoader label="Loading the categories" />
      ) : !custom ? (
        <LoadError
          error={hookError(query.error)}
          what="the categories"
          onRetry={() => void query.refetch()}
        />
      ) : custom.length === 0 ? (
        <EmptyState
          icon={<IconCategory size={24} />}
          title="No categories of your own"
          description="The built-in list covers most data; add one when it does not."
        />
      ) : (
        <DataTable
          label="Your categories"
          minWidth={600}
          cardsOnPhone
          head={
            <>
              <Table.Th>Category</Table.Th>
              <Table.Th>Description</Table.Th>
              {canManage && <ActionsHeader />}
            </>
          }
        >
          {custom.map((c) => (
            <Table.Tr key={c.id} data-category={c.key}>
              <Table.Td data-label="Category">
                <Group gap={6}>
                  <Text size="sm" fw={600}>
                    {c.name}
                  </Text>
                  <CategoryFlags info={c} />
                </Group>
                <Text size="xs" c="dimmed" className="custos-mono">
                  {c.key}
                </Text>
              </Table.Td>
              <Table.Td data-label="Description" data-wide>
                <Text size="sm">{c.description || '—'}</Text>
              </Table.Td>
              {canManage && (
                <Table.Td>
                  <Group gap={4} wrap="nowrap">
                    <ActionIcon
                      variant="subtle"
                      color="gray"
                      aria-label={`Edit ${c.name}`}
                      onClick={() => setEditing({ category: c })}
                    >
                      <IconPencil size={16} />
                    </ActionIcon>
                    <ActionIcon
                      variant="subtle"
                      color="red"
                      aria-label={`Delete ${c.name}`}
                      onClick={() => removing.ask(c)}
                    >
                      <IconTrash size={16} />
                    </ActionIcon>
                  </Group>
                </Table.Td>
              )}
            </Table.Tr>
          ))}
        </DataTable>
      )}
      <Modal
        opened={editing !== undefined}
        onClose={() => setEditing(undefined)}
        title={
          <Text fw={600}>{editing?.category ? `Edit “${editing.category.name}”` : 'Add a category'}</Text>
        }
      >
        {editing && <CategoryForm category={editing.category} onClose={() => setEditing(undefined)} />}
      </Modal>
      <ConfirmModal title="Delete this category?" confirmLabel="Delete category" {...removing.modal}>
        “{removing.target?.name}” is removed from the list. A category that a system still lists cannot be
        deleted: remove it from those systems first.
      </ConfirmModal>
    </TableCard>
  );
}

function formatBuiltIn(n: number | undefined): string {
  return n === undefined ? 'built in' : `${n} categories`;
}
