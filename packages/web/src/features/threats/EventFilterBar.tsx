import { Badge, Button, Card, CloseButton, Group, MultiSelect, Switch, TextInput } from '@mantine/core';
import { IconFilterOff, IconWorldSearch } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { activeFilterCount, looksLikeIp } from './eventFilters';
import {
  DETECTOR_LABELS,
  DETECTOR_ORDER,
  SEVERITY_LABELS,
  SEVERITY_ORDER,
  STATUS_LABELS,
  STATUS_ORDER,
} from './labels';
import type { EventFiltersState } from './useEventFilters';

const STATUS_OPTIONS = STATUS_ORDER.map((value) => ({ value, label: STATUS_LABELS[value] }));
const SEVERITY_OPTIONS = SEVERITY_ORDER.map((value) => ({ value, label: SEVERITY_LABELS[value] }));
const TYPE_OPTIONS = DETECTOR_ORDER.map((value) => ({ value, label: DETECTOR_LABELS[value] }));

/** The source IP filter: it reaches the URL on Enter or when it loses focus, not on every key. */
function SourceIpInput({ value, onCommit }: { value: string | undefined; onCommit: (ip?: string) => void }) {
  const [draft, setDraft] = useState(value ?? '');
  const [problem, setProblem] = useState<string>();
  useEffect(() => setDraft(value ?? ''), [value]);

  function commit() {
    const text = draft.trim();
    if (text && !looksLikeIp(text)) {
      setProblem('Not an IP address');
      return;
    }
    setProblem(undefined);
    if (text !== (value ?? '')) onCommit(text || undefined);
  }

  return (
    <TextInput
      label="Source IP"
      placeholder="203.0.113.7"
      w={190}
      value={draft}
      error={problem}
      leftSection={<IconWorldSearch size={16} />}
      classNames={{ input: 'custos-mono' }}
      onChange={(event) => {
        setDraft(event.currentTarget.value);
        setProblem(undefined);
      }}
      onBlur={commit}
      onKeyDown={(event) => {
        if (event.key === 'Enter') commit();
      }}
      rightSection={
        draft ? (
          <CloseButton
            size="sm"
            aria-label="Clear source IP"
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

export function EventFilterBar({ state }: { state: EventFiltersState }) {
  const { filters, update, clear } = state;
  const active = activeFilterCount(filters);
  return (
    <Card withBorder radius="md" padding="md" component="section" aria-label="Filters">
      <Group align="flex-end" gap="sm" wrap="wrap">
        <MultiSelect
          label="Status"
          placeholder={filters.status.length === 0 ? 'Any status' : undefined}
          data={STATUS_OPTIONS}
          value={filters.status}
          onChange={(value) => update({ status: value as typeof filters.status })}
          style={{ flex: '1 1 240px' }}
          maw={360}
          comboboxProps={{ withinPortal: true }}
          data-testid="filter-status"
        />
        <MultiSelect
          label="Severity"
          placeholder={filters.severity.length === 0 ? 'Any severity' : undefined}
          data={SEVERITY_OPTIONS}
          value={filters.severity}
          onChange={(value) => update({ severity: value as typeof filters.severity })}
          style={{ flex: '1 1 200px' }}
          maw={320}
          comboboxProps={{ withinPortal: true }}
          data-testid="filter-severity"
        />
        <MultiSelect
          label="Type"
          placeholder={filters.type.length === 0 ? 'Any type' : undefined}
          data={TYPE_OPTIONS}
          value={filters.type}
          onChange={(value) => update({ type: value as typeof filters.type })}
          searchable
          style={{ flex: '1 1 220px' }}
          maw={360}
          comboboxProps={{ withinPortal: true }}
          data-testid="filter-type"
        />
        <SourceIpInput value={filters.sourceIp} onCommit={(sourceIp) => update({ sourceIp })} />
        <Switch
          label="Assigned to me"
          checked={filters.mine}
          onChange={(event) => update({ mine: event.currentTarget.checked })}
          mb={8}
        />
        {filters.subjectId && (
          <Badge
            size="lg"
            variant="light"
            color="gray"
            mb={6}
            rightSection={
              <CloseButton
                size="xs"
                aria-label="Show every subject"
                onClick={() => update({ subjectId: undefined })}
              />
            }
          >
            Subject {filters.subjectId}
          </Badge>
        )}
        {active > 0 && (
          <Button
            variant="subtle"
            color="gray"
            leftSection={<IconFilterOff size={16} />}
            onClick={clear}
            mb={2}
          >
            Reset filters
          </Button>
        )}
      </Group>
    </Card>
  );
}
