import type { PrivacyRequestState, RequestType } from '@custos/shared';
import { Button, Card, Group, MultiSelect, Select, Switch } from '@mantine/core';
import { IconFilterOff } from '@tabler/icons-react';
import { REQUEST_TYPE_ORDER, STATE_LABELS, STATE_ORDER, typeName } from './labels';
import { activeFilterCount } from './requestFilters';
import type { RequestFiltersState } from './useRequestFilters';

const STATE_OPTIONS = STATE_ORDER.map((value) => ({ value, label: STATE_LABELS[value] }));
const TYPE_OPTIONS = REQUEST_TYPE_ORDER.map((value) => ({ value, label: typeName(value) }));

export function RequestFilterBar({ state }: { state: RequestFiltersState }) {
  const { filters, update, clear } = state;
  return (
    <Card withBorder radius="md" padding="md" component="section" aria-label="Filters">
      <Group align="flex-end" gap="sm" wrap="wrap">
        <MultiSelect
          label="State"
          placeholder={filters.state.length === 0 ? 'Any state' : undefined}
          data={STATE_OPTIONS}
          value={filters.state}
          onChange={(value) => update({ state: value as PrivacyRequestState[] })}
          style={{ flex: '1 1 260px' }}
          maw={480}
          comboboxProps={{ withinPortal: true }}
        />
        <Select
          label="Type"
          placeholder="Any type"
          data={TYPE_OPTIONS}
          value={filters.type ?? null}
          onChange={(value) => update({ type: (value as RequestType | null) ?? undefined })}
          clearable
          w={200}
          comboboxProps={{ withinPortal: true }}
        />
        <Switch
          label="Overdue only"
          checked={filters.overdue}
          onChange={(event) => update({ overdue: event.currentTarget.checked })}
          mb={8}
        />
        {activeFilterCount(filters) > 0 && (
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
