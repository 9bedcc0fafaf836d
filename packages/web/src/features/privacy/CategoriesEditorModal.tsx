import {
  ERASURE_STRATEGIES,
  ERASURE_STRATEGY_INFO,
  LAWFUL_BASES,
  LAWFUL_BASIS_INFO,
  type LawfulBasis,
  type PrivacySystemOut,
  RETENTION_ACTION_INFO,
  RETENTION_ACTIONS,
  RETENTION_TRIGGER_INFO,
  RETENTION_TRIGGERS,
  type RetentionAction,
  type RetentionTrigger,
} from '@custos/shared';
import {
  ActionIcon,
  Badge,
  Button,
  Card,
  Group,
  Modal,
  NumberInput,
  Select,
  Stack,
  Switch,
  Text,
  TextInput,
  Tooltip,
} from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { type FormEvent, useState } from 'react';
import { hookError } from '../../app/errors';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { FormActions } from '../../ui/FormActions';
import { SectionLoader } from '../../ui/states';
import { useListPrivacyCategoriesQuery, useSetPrivacySystemCategoriesMutation } from './api';
import {
  allCategories,
  bodyOf,
  type CategoryDraft,
  type CategoryInfo,
  categoryOptions,
  draftProblems,
  draftsOf,
  newDraft,
} from './categoryDraft';

const BASIS_OPTIONS = LAWFUL_BASES.map((value) => ({
  value,
  label: `${LAWFUL_BASIS_INFO[value].name} (${LAWFUL_BASIS_INFO[value].citation})`,
}));
const STRATEGY_OPTIONS = ERASURE_STRATEGIES.map((value) => ({
  value,
  label: ERASURE_STRATEGY_INFO[value].name,
}));
const TRIGGER_OPTIONS = RETENTION_TRIGGERS.map((value) => ({
  value,
  label: RETENTION_TRIGGER_INFO[value].name,
}));
const ACTION_OPTIONS = RETENTION_ACTIONS.map((value) => ({
  value,
  label: RETENTION_ACTION_INFO[value].name,
}));

export const SPECIAL_EXPLAINED =
  'A special category (GDPR Art. 9, or criminal data under Art. 10): processing it needs an Art. 9(2) condition, such as explicit consent, on top of a lawful basis.';
export const PHI_EXPLAINED =
  'One of the 18 HIPAA identifiers: joined to health information, it makes that information protected health information (PHI).';

export function CategoryFlags({ info }: { info: Pick<CategoryInfo, 'special' | 'phi'> }) {
  return (
    <>
      {info.special && (
        <Tooltip label={SPECIAL_EXPLAINED} withArrow multiline w={300}>
          <Badge color="grape" variant="light" size="sm" tabIndex={0}>
            Special
          </Badge>
        </Tooltip>
      )}
      {info.phi && (
        <Tooltip label={PHI_EXPLAINED} withArrow multiline w={300}>
          <Badge color="cyan" variant="light" size="sm" tabIndex={0}>
            HIPAA identifier
          </Badge>
        </Tooltip>
      )}
    </>
  );
}

interface RowProps {
  draft: CategoryDraft;
  info: CategoryInfo | undefined;
  problem: string | undefined;
  onChange: (next: CategoryDraft) => void;
  onRemove: () => void;
}

function CategoryRow({ draft, info, problem, onChange, onRemove }: RowProps) {
  const name = info?.name ?? draft.categoryKey;
  const set = (change: Partial<CategoryDraft>) => onChange({ ...draft, ...change });
  const setPurpose = (i: number, change: Partial<CategoryDraft['purposes'][number]>) =>
    set({ purposes: draft.purposes.map((p, j) => (j === i ? { ...p, ...change } : p)) });
  return (
    <Card
      withBorder
      radius="md"
      padding="md"
      component="fieldset"
      aria-label={name}
      data-category={draft.categoryKey}
      style={{ minWidth: 0 }}
    >
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start" wrap="nowrap">
          <Stack gap={2}>
            <Group gap={6}>
              <Text fw={600}>{name}</Text>
              {info && <CategoryFlags info={info} />}
            </Group>
            {info?.description && (
              <Text size="xs" c="dimmed">
                {info.description}
              </Text>
            )}
          </Stack>
          <Tooltip label={`Remove ${name}`} withArrow position="left">
            <ActionIcon variant="subtle" color="red" aria-label={`Remove ${name}`} onClick={onRemove}>
              <IconTrash size={16} />
            </ActionIcon>
          </Tooltip>
        </Group>
        {info?.special && (
          <Text size="xs" c="grape.9">
            {SPECIAL_EXPLAINED}
          </Text>
        )}
        <Stack gap={6}>
          <Text size="sm" fw={500}>
            Purposes and lawful basis
          </Text>
          {draft.purposes.length === 0 && (
            <Text size="xs" c="dimmed">
              No purpose yet. Every use of personal data needs one, with its lawful basis (GDPR Art. 6(1)).
            </Text>
          )}
          {draft.purposes.map((p, i) => (
            // Purposes have no id; their position is their identity while editing.
            // biome-ignore lint/suspicious/noArrayIndexKey: see above
            <Group key={i} align="flex-start" gap="xs" wrap="wrap">
              <TextInput
                label={`Purpose ${i + 1}`}
                placeholder="Sending invoices"
                value={p.purpose}
                onChange={(e) => setPurpose(i, { purpose: e.currentTarget.value })}
                maxLength={300}
                style={{ flex: '2 1 200px' }}
              />
              <Select
                label="Lawful basis"
                data={BASIS_OPTIONS}
                value={p.lawfulBasis}
                onChange={(value) => value && setPurpose(i, { lawfulBasis: value as LawfulBasis })}
                allowDeselect={false}
                description={LAWFUL_BASIS_INFO[p.lawfulBasis].description}
                inputWrapperOrder={['label', 'input', 'description']}
                comboboxProps={{ withinPortal: true }}
                style={{ flex: '2 1 220px' }}
              />
              <ActionIcon
                variant="subtle"
                color="gray"
                mt={26}
                aria-label={`Remove purpose ${i + 1} of ${name}`}
                onClick={() => set({ purposes: draft.purposes.filter((_, j) => j !== i) })}
              >
                <IconTrash size={16} />
              </ActionIcon>
            </Group>
          ))}
          <Button
            variant="subtle"
            size="xs"
            leftSection={<IconPlus size={14} />}
            onClick={() => set({ purposes: [...draft.purposes, { purpose: '', lawfulBasis: 'contract' }] })}
            style={{ alignSelf: 'flex-start' }}
            aria-label={`Add a purpose to ${name}`}
          >
            Add purpose
          </Button>
        </Stack>
        <Switch
          label="Delete or anonymize after a set time"
          description="Retention: how long this system keeps the data. Custos asks the system to act when the time is up."
          checked={draft.retention !== null}
          onChange={(e) =>
            set({
              retention: e.currentTarget.checked
                ? { periodDays: 365, trigger: 'since_last_activity', action: 'delete' }
                : null,
            })
          }
        />
        {draft.retention && (
          <Group align="flex-start" gap="xs" wrap="wrap">
            <NumberInput
              label="Keep for (days)"
              value={draft.retention.periodDays}
              min={1}
              max={36_500}
              allowDecimal={false}
              onChange={(value) =>
                draft.retention && set({ retention: { ...draft.retention, periodDays: Number(value) || 0 } })
              }
              w={140}
            />
            <Select
              label="Counted"
              data={TRIGGER_OPTIONS}
              value={draft.retention.trigger}
              onChange={(value) =>
                value &&
                draft.retention &&
                set({ retention: { ...draft.retention, trigger: value as RetentionTrigger } })
              }
              allowDeselect={false}
              description={RETENTION_TRIGGER_INFO[draft.retention.trigger].description}
              inputWrapperOrder={['label', 'input', 'description']}
              comboboxProps={{ withinPortal: true }}
              style={{ flex: '1 1 200px' }}
            />
            <Select
              label="Then"
              data={ACTION_OPTIONS}
              value={draft.retention.action}
              onChange={(value) =>
                value &&
                draft.retention &&
                set({ retention: { ...draft.retention, action: value as RetentionAction } })
              }
              allowDeselect={false}
              description={RETENTION_ACTION_INFO[draft.retention.action].description}
              inputWrapperOrder={['label', 'input', 'description']}
              comboboxProps={{ withinPortal: true }}
              style={{ flex: '1 1 200px' }}
            />
          </Group>
        )}
        <Select
          label="When a person asks for erasure"
          data={STRATEGY_OPTIONS}
          value={draft.erasureStrategy}
          onChange={(value) => value && set({ erasureStrategy: value as CategoryDraft['erasureStrategy'] })}
          allowDeselect={false}
          description={ERASURE_STRATEGY_INFO[draft.erasureStrategy].description}
          inputWrapperOrder={['label', 'input', 'description']}
          comboboxProps={{ withinPortal: true }}
          maw={420}
        />
        {problem && (
          <Text size="sm" c="red.8" role="alert">
            {problem}
          </Text>
        )}
      </Stack>
    </Card>
  );
}

function Editor({ system, onClose }: { system: PrivacySystemOut; onClose: () => void }) {
  const list = useListPrivacyCategoriesQuery();
  const [drafts, setDrafts] = useState<CategoryDraft[]>(() => draftsOf(system.categories));
  const [save, saving] = useSetPrivacySystemCategoriesMutation();
  if (list.isLoading) return <SectionLoader label="Loading the categories" />;
  if (!list.data) return <ErrorAlert error={hookError(list.error)} title="Could not load the categories" />;
  const categories = allCategories(list.data);
  const byKey = new Map(categories.map((c) => [c.key, c]));
  const options = categoryOptions(categories, new Set(drafts.map((d) => d.categoryKey)));
  const problems = draftProblems(drafts);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (problems.size > 0) return;
    const result = await save({ id: system.id, categories: bodyOf(drafts) });
    if ('data' in result) {
      notifications.show({ color: 'teal', message: `The categories of ${system.name} were saved` });
      onClose();
    }
  }

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <Select
          label="Add a category of personal data"
          placeholder="Search categories"
          data={options}
          value={null}
          onChange={(key) => key && setDrafts((d) => [...d, newDraft(key)])}
          searchable
          nothingFoundMessage="No category matches; add your own under “Your categories”"
          comboboxProps={{ withinPortal: true }}
          data-autofocus
        />
        {drafts.length === 0 && (
          <Text size="sm" c="dimmed">
            This system holds no categories yet. Add the kinds of personal data it stores.
          </Text>
        )}
        {drafts.map((draft, i) => (
          <CategoryRow
            key={draft.categoryKey}
            draft={draft}
            info={byKey.get(draft.categoryKey)}
            problem={problems.get(draft.categoryKey)}
            onChange={(next) => setDrafts((all) => all.map((d, j) => (j === i ? next : d)))}
            onRemove={() => setDrafts((all) => all.filter((_, j) => j !== i))}
          />
        ))}
        <ErrorAlert error={hookError(saving.error)} />
        <FormActions
          submitLabel="Save categories"
          loading={saving.isLoading}
          disabled={problems.size > 0}
          onCancel={onClose}
        />
      </Stack>
    </form>
  );
}

/** Edits what a system holds: categories, their purposes and lawful basis, retention and erasure. */
export function CategoriesEditorModal({
  system,
  onClose,
}: {
  system: PrivacySystemOut | undefined;
  onClose: () => void;
}) {
  const phone = useMediaQuery('(max-width: 36em)');
  return (
    <Modal
      opened={system !== undefined}
      onClose={onClose}
      title={<Text fw={600}>Data held by {system?.name}</Text>}
      size="xl"
      fullScreen={phone}
    >
      {system && <Editor key={system.id} system={system} onClose={onClose} />}
    </Modal>
  );
}
