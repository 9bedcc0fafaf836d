import {
  Button,
  Card,
  CloseButton,
  Collapse,
  Group,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  TextInput,
} from '@mantine/core';
import { IconAdjustmentsHorizontal, IconFilterOff, IconSearch } from '@tabler/icons-react';
import { type ReactNode, useEffect, useState } from 'react';
import { ActorPicker } from './ActorPicker';
import { FilterChips } from './FilterChips';
import {
  activeFilterCount,
  filterProblem,
  OUTCOMES,
  SOURCE_WORDS,
  SOURCES,
  type TextFilter,
  TIME_RANGES,
} from './filters';
import type { AuditFiltersState } from './useAuditFilters';

interface FilterTextInputProps {
  name: TextFilter;
  label: string;
  placeholder: string;
  value: string | undefined;
  onCommit: (value: string | undefined) => void;
  leftSection?: ReactNode;
  mono?: boolean;
}

/**
 * A text filter that reaches the URL (and so runs a search) on Enter or when it loses focus, not
 * on every keystroke; it follows the URL when the back button changes it.
 */
function FilterTextInput({
  name,
  label,
  placeholder,
  value,
  onCommit,
  leftSection,
  mono,
}: FilterTextInputProps) {
  const [draft, setDraft] = useState(value ?? '');
  const [problem, setProblem] = useState<string>();
  // Follows the URL (back button, a saved search); a value typed into the URL is checked too.
  useEffect(() => {
    setDraft(value ?? '');
    setProblem(filterProblem(name, value ?? ''));
  }, [name, value]);

  function commit(text: string) {
    const trimmed = text.trim();
    const error = filterProblem(name, trimmed);
    setProblem(error);
    if (!error && trimmed !== (value ?? '')) onCommit(trimmed || undefined);
  }

  return (
    <TextInput
      label={label}
      placeholder={placeholder}
      value={draft}
      leftSection={leftSection}
      error={problem}
      onChange={(event) => {
        setDraft(event.currentTarget.value);
        if (problem) setProblem(undefined);
      }}
      onBlur={() => commit(draft)}
      onKeyDown={(event) => {
        if (event.key === 'Enter') commit(draft);
        if (event.key === 'Escape') setDraft(value ?? '');
      }}
      styles={mono ? { input: { fontFamily: 'var(--mantine-font-family-monospace)' } } : undefined}
      rightSection={
        draft ? (
          <CloseButton
            size="sm"
            aria-label={`Clear ${label.toLowerCase()}`}
            onClick={() => {
              setDraft('');
              setProblem(undefined);
              if (value) onCommit(undefined);
            }}
          />
        ) : undefined
      }
    />
  );
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** `datetime-local` works in local time without a zone; the URL keeps ISO instants. */
function toLocalInput(iso: string | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

function fromLocalInput(value: string): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** The filters behind "More filters": everything but the words and the time range. */
const PRECISE_FILTERS = ['actor', 'action', 'outcome', 'source', 'ip', 'targetType', 'targetId'] as const;

export function FilterBar({ state }: { state: AuditFiltersState }) {
  const { filters, update, clear, showOwnReads, setShowOwnReads } = state;
  const text = (name: TextFilter) => ({
    name,
    value: filters[name],
    onCommit: (value: string | undefined) => update({ [name]: value }),
  });
  // Search and time are always out; the seven precise filters fold away until wanted (or in use).
  const precise = PRECISE_FILTERS.filter((name) => filters[name]).length;
  const [unfolded, setUnfolded] = useState(false);
  const showPrecise = unfolded || precise > 0;
  const custom = filters.range === 'custom';
  const rangeInvalid = custom && filters.from && filters.to && filters.from > filters.to;

  return (
    <Card withBorder radius="md" padding="md" component="section" aria-label="Filters">
      <Stack gap="sm">
        <Group align="flex-start" gap="sm" wrap="wrap">
          <div style={{ flex: '1 1 280px' }}>
            <FilterTextInput
              {...text('q')}
              label="Search"
              placeholder="Names, e-mails, IP addresses, ids or words — press Enter"
              leftSection={<IconSearch size={16} />}
            />
          </div>
          <Select
            label="Time range"
            data={TIME_RANGES.map(({ value, label }) => ({ value, label }))}
            value={filters.range}
            allowDeselect={false}
            w={190}
            onChange={(range) => {
              if (range === 'custom') {
                // Start a custom range as the last 24 hours, ready to adjust.
                const to = new Date();
                const from = new Date(to.getTime() - 86_400_000);
                update({ range, from: from.toISOString(), to: undefined });
              } else update({ range: range ?? undefined });
            }}
          />
          {custom && (
            <>
              <TextInput
                type="datetime-local"
                label="From"
                w={210}
                value={toLocalInput(filters.from)}
                onChange={(event) =>
                  update(
                    { range: 'custom', from: fromLocalInput(event.currentTarget.value), to: filters.to },
                    { replace: true },
                  )
                }
              />
              <TextInput
                type="datetime-local"
                label="To"
                w={210}
                value={toLocalInput(filters.to)}
                error={rangeInvalid ? 'Must be after “From”' : undefined}
                onChange={(event) =>
                  update(
                    { range: 'custom', from: filters.from, to: fromLocalInput(event.currentTarget.value) },
                    { replace: true },
                  )
                }
              />
            </>
          )}
          <Button
            variant="subtle"
            color="gray"
            mt={25}
            leftSection={<IconAdjustmentsHorizontal size={16} />}
            aria-expanded={showPrecise}
            aria-controls="audit-precise-filters"
            disabled={precise > 0}
            onClick={() => setUnfolded((was) => !was)}
          >
            {showPrecise ? 'Fewer filters' : 'More filters'}
          </Button>
        </Group>
        <FilterChips state={state} />
        <Collapse in={showPrecise} id="audit-precise-filters">
          <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }} spacing="sm" verticalSpacing="sm">
            <ActorPicker value={filters.actor} onCommit={(actor) => update({ actor })} />
            <FilterTextInput {...text('action')} label="Action" placeholder="user.signed_in or user.*" mono />
            <Select
              label="Outcome"
              placeholder="Any outcome"
              data={OUTCOMES.map((value) => ({ value, label: capitalize(value) }))}
              value={filters.outcome ?? null}
              clearable
              onChange={(outcome) => update({ outcome: outcome ?? undefined })}
            />
            <Select
              label="Source"
              placeholder="Any source"
              data={SOURCES.map((value) => ({ value, label: SOURCE_WORDS[value] }))}
              value={filters.source ?? null}
              clearable
              onChange={(source) => update({ source: source ?? undefined })}
            />
            <FilterTextInput {...text('ip')} label="IP address or range" placeholder="10.0.0.0/8" mono />
            <FilterTextInput {...text('targetType')} label="Target type" placeholder="e.g. invitation" mono />
            <FilterTextInput {...text('targetId')} label="Target id" placeholder="The target's id" mono />
            {activeFilterCount(filters) > 0 && (
              <Group align="flex-end" h="100%">
                <Button
                  variant="subtle"
                  color="gray"
                  leftSection={<IconFilterOff size={16} />}
                  onClick={clear}
                >
                  Clear filters
                </Button>
              </Group>
            )}
          </SimpleGrid>
        </Collapse>
        <Switch
          label="Show my own searches and views"
          description={
            filters.ids
              ? 'Selected events are always shown in full.'
              : 'Every search and event you open is itself recorded; these are hidden unless you turn this on.'
          }
          checked={showOwnReads || Boolean(filters.ids)}
          disabled={Boolean(filters.ids)}
          onChange={(event) => setShowOwnReads(event.currentTarget.checked)}
          data-testid="show-own-reads"
        />
      </Stack>
    </Card>
  );
}
