import { Badge, Button, CloseButton, Group } from '@mantine/core';
import { formatDateTime } from '../../app/format';
import { useActorName } from './ActorPicker';
import { filterChips } from './filters';
import type { AuditFiltersState } from './useAuditFilters';

/**
 * Every active filter as a chip under the search box, each with its own remove button, and "Clear
 * all". The URL stays the source of truth: a chip only shows it, and removing one edits it.
 */
export function FilterChips({ state }: { state: AuditFiltersState }) {
  const { filters, update, clear } = state;
  const actorName = useActorName(filters.actor);
  const chips = filterChips(filters, { actorName, formatInstant: formatDateTime });
  if (chips.length === 0) return null;
  return (
    <Group gap="xs" wrap="wrap" role="group" aria-label="Active filters" data-testid="filter-chips">
      {chips.map((chip) => (
        <Badge
          key={chip.key}
          size="lg"
          variant="light"
          color={chip.key === 'ids' ? 'indigo' : 'gray'}
          tt="none"
          fw={500}
          maw="100%"
          data-testid={chip.key === 'ids' ? 'ids-filter' : undefined}
          rightSection={
            <CloseButton
              size="xs"
              aria-label={`Remove filter ${chip.label}`}
              onClick={() => update(chip.remove)}
            />
          }
        >
          {chip.label}
        </Badge>
      ))}
      <Button variant="subtle" color="gray" size="compact-sm" onClick={clear}>
        Clear all
      </Button>
    </Group>
  );
}
