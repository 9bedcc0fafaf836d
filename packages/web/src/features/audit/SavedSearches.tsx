import type { SavedSearchOut } from '@custos/sdk';
import type { AuditSearchQuery } from '@custos/shared';
import {
  ActionIcon,
  Badge,
  Button,
  Divider,
  Group,
  Loader,
  Modal,
  Popover,
  ScrollArea,
  Stack,
  Text,
  TextInput,
  Tooltip,
  UnstyledButton,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconBookmarkPlus, IconBookmarks, IconTrash } from '@tabler/icons-react';
import { type FormEvent, useState } from 'react';
import { formErrors, hookError } from '../../app/errors';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { FormActions } from '../../ui/FormActions';
import { useDeleteSavedSearchMutation, useListSavedSearchesQuery, useSaveSearchMutation } from './api';
import { type AuditFilters, describeQuery, savableQuery } from './filters';

function QuerySummary({ query }: { query: AuditSearchQuery }) {
  const parts = describeQuery(query);
  if (parts.length === 0) {
    return (
      <Text size="xs" c="dimmed">
        Every event
      </Text>
    );
  }
  return (
    <Text size="xs" c="dimmed" lineClamp={2}>
      {parts.join(' · ')}
    </Text>
  );
}

function SaveSearchModal({
  opened,
  filters,
  onClose,
}: {
  opened: boolean;
  filters: AuditFilters;
  onClose: () => void;
}) {
  const [name, setName] = useState('');
  const [save, { isLoading, error, reset }] = useSaveSearchMutation();
  const apiError = hookError(error);
  const errors = formErrors(apiError, ['name']);
  const query = savableQuery(filters);

  function close() {
    setName('');
    reset();
    onClose();
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const result = await save({ name: name.trim(), query });
    if ('data' in result) {
      notifications.show({ color: 'teal', message: `Search “${name.trim()}” saved` });
      close();
    }
  }

  return (
    <Modal opened={opened} onClose={close} title={<Text fw={600}>Save search</Text>}>
      <form onSubmit={submit} noValidate>
        <Stack>
          <TextInput
            label="Name"
            placeholder="e.g. Failed sign-ins"
            value={name}
            onChange={(event) => {
              setName(event.currentTarget.value);
              if (error) reset();
            }}
            error={errors.fields.name}
            maxLength={100}
            required
            data-autofocus
          />
          <Stack gap={4}>
            <Text size="sm" fw={500}>
              Filters
            </Text>
            {describeQuery(query).length === 0 ? (
              <Text size="sm" c="dimmed">
                No filters: the search shows every event.
              </Text>
            ) : (
              <Group gap={6}>
                {describeQuery(query).map((part) => (
                  <Badge key={part} variant="light" color="gray" tt="none" fw={500}>
                    {part}
                  </Badge>
                ))}
              </Group>
            )}
          </Stack>
          <ErrorAlert error={errors.fields.name ? undefined : apiError} extra={errors.other} />
          <FormActions
            submitLabel="Save search"
            loading={isLoading}
            disabled={!name.trim()}
            onCancel={close}
          />
        </Stack>
      </form>
    </Modal>
  );
}

function SavedSearchRow({
  saved,
  onApply,
}: {
  saved: SavedSearchOut;
  onApply: (query: AuditSearchQuery) => void;
}) {
  const [remove, { isLoading }] = useDeleteSavedSearchMutation();
  async function handleDelete() {
    const result = await remove(saved.id);
    if ('error' in result) {
      notifications.show({
        color: 'red',
        title: 'Could not delete',
        message: hookError(result.error)?.message,
      });
    } else notifications.show({ color: 'teal', message: `Saved search “${saved.name}” deleted` });
  }
  return (
    <Group gap="xs" wrap="nowrap" align="flex-start">
      <UnstyledButton
        onClick={() => onApply(saved.query)}
        className="custos-saved-search"
        aria-label={`Apply saved search ${saved.name}`}
        style={{ flex: 1, minWidth: 0 }}
      >
        <Text size="sm" fw={500} truncate>
          {saved.name}
        </Text>
        <QuerySummary query={saved.query} />
      </UnstyledButton>
      <Tooltip label="Delete saved search" withArrow position="left">
        <ActionIcon
          variant="subtle"
          color="red"
          mt={4}
          loading={isLoading}
          aria-label={`Delete saved search ${saved.name}`}
          onClick={handleDelete}
        >
          <IconTrash size={16} />
        </ActionIcon>
      </Tooltip>
    </Group>
  );
}

/** Your saved searches: apply one, delete one, or save the current filters. */
export function SavedSearches({
  filters,
  onApply,
}: {
  filters: AuditFilters;
  onApply: (query: AuditSearchQuery) => void;
}) {
  const [opened, setOpened] = useState(false);
  const [saving, setSaving] = useState(false);
  const { data, error, isLoading } = useListSavedSearchesQuery();

  return (
    <>
      <Popover
        opened={opened}
        onChange={setOpened}
        position="bottom-end"
        width={340}
        shadow="md"
        withinPortal
      >
        <Popover.Target>
          <Button
            variant="default"
            leftSection={<IconBookmarks size={18} />}
            onClick={() => setOpened((o) => !o)}
            aria-expanded={opened}
          >
            Saved searches
          </Button>
        </Popover.Target>
        <Popover.Dropdown p="xs" aria-label="Saved searches">
          <Stack gap="xs">
            <Text size="xs" fw={700} c="dimmed" tt="uppercase" px={6} pt={4}>
              Saved searches
            </Text>
            {isLoading && <Loader size="sm" mx="auto" my="sm" />}
            {error !== undefined && (
              <Text size="sm" c="red" px={6}>
                Could not load your saved searches: {hookError(error)?.message}
              </Text>
            )}
            {data && data.length === 0 && (
              <Text size="sm" c="dimmed" px={6}>
                None yet. Set filters, then save them here to run the same search again later.
              </Text>
            )}
            {data && data.length > 0 && (
              <ScrollArea.Autosize mah={320} type="auto">
                <Stack gap={2}>
                  {data.map((saved) => (
                    <SavedSearchRow
                      key={saved.id}
                      saved={saved}
                      onApply={(query) => {
                        setOpened(false);
                        onApply(query);
                      }}
                    />
                  ))}
                </Stack>
              </ScrollArea.Autosize>
            )}
            <Divider />
            <Button
              variant="subtle"
              leftSection={<IconBookmarkPlus size={16} />}
              justify="flex-start"
              onClick={() => {
                setOpened(false);
                setSaving(true);
              }}
            >
              Save current search…
            </Button>
          </Stack>
        </Popover.Dropdown>
      </Popover>
      <SaveSearchModal opened={saving} filters={filters} onClose={() => setSaving(false)} />
    </>
  );
}
