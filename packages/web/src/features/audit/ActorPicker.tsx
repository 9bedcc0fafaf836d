import type { AuditActorSuggestion } from '@custos/shared';
import { CloseButton, Combobox, Group, Loader, Stack, Text, TextInput, useCombobox } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconUser } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { useSuggestAuditActorsQuery } from './api';

const KIND_LABELS: Record<AuditActorSuggestion['kind'], string> = {
  member: 'Member',
  api_key: 'API key',
  actor: 'Seen in the log',
};

/** The second line of a suggestion: the e-mail, or what kind of actor it is. */
export function actorDetail(actor: AuditActorSuggestion): string {
  return actor.email ? `${actor.email} · ${KIND_LABELS[actor.kind]}` : KIND_LABELS[actor.kind];
}

interface ActorPickerProps {
  /** The actor id in the URL. */
  value: string | undefined;
  onCommit: (id: string | undefined) => void;
}

/**
 * The actor filter as a people picker: typing suggests the organization's members, API keys and
 * actors seen in its log (by name, e-mail or id); choosing one filters by its id. A raw id typed
 * and committed with Enter (or by leaving the field) still works, as before.
 */
export function ActorPicker({ value, onCommit }: ActorPickerProps) {
  const combobox = useCombobox({ onDropdownClose: () => combobox.resetSelectedOption() });
  const [draft, setDraft] = useState(value ?? '');
  // Follows the URL (back button, a saved search, a removed chip).
  useEffect(() => setDraft(value ?? ''), [value]);
  const [typed] = useDebouncedValue(draft.trim(), 250);
  const asking = typed.length > 0 && typed !== value;
  const { data, isFetching, isError } = useSuggestAuditActorsQuery(typed, { skip: !asking });
  const suggestions = asking ? (data ?? []) : [];

  function commit(text: string) {
    const trimmed = text.trim();
    if (trimmed !== (value ?? '')) onCommit(trimmed || undefined);
  }

  return (
    <Combobox
      store={combobox}
      onOptionSubmit={(id) => {
        setDraft(id);
        commit(id);
        combobox.closeDropdown();
      }}
    >
      <Combobox.Target>
        <TextInput
          label="Actor"
          // The ARIA combobox pattern: a text box that suggests (Mantine's target adds aria-expanded).
          role="combobox"
          aria-autocomplete="list"
          placeholder="Name, e-mail or id"
          description="Pick a suggestion, or type an id and press Enter"
          value={draft}
          leftSection={<IconUser size={16} />}
          onChange={(event) => {
            setDraft(event.currentTarget.value);
            combobox.openDropdown();
            combobox.resetSelectedOption();
          }}
          onFocus={() => combobox.openDropdown()}
          onBlur={() => {
            combobox.closeDropdown();
            commit(draft);
          }}
          onKeyDown={(event) => {
            // With a suggestion highlighted, Enter picks it (the combobox handles that).
            if (event.key === 'Enter' && combobox.getSelectedOptionIndex() < 0) {
              commit(draft);
              combobox.closeDropdown();
            }
            if (event.key === 'Escape') setDraft(value ?? '');
          }}
          rightSection={
            isFetching ? (
              <Loader size={14} aria-label="Looking for actors" />
            ) : draft ? (
              <CloseButton
                size="sm"
                aria-label="Clear actor"
                onMouseDown={(event) => event.preventDefault()}
                onClick={() => {
                  setDraft('');
                  if (value) onCommit(undefined);
                }}
              />
            ) : undefined
          }
        />
      </Combobox.Target>
      <Combobox.Dropdown hidden={!asking || (isFetching && suggestions.length === 0)}>
        <Combobox.Options aria-label="Actor suggestions">
          {suggestions.map((actor) => (
            <Combobox.Option value={actor.id} key={`${actor.type}|${actor.id}`}>
              <Group gap="xs" wrap="nowrap">
                <Stack gap={0} style={{ minWidth: 0 }}>
                  <Text size="sm" fw={500} truncate>
                    {actor.name || actor.id}
                  </Text>
                  <Text size="xs" c="dimmed" truncate>
                    {actorDetail(actor)}
                  </Text>
                </Stack>
              </Group>
            </Combobox.Option>
          ))}
          {suggestions.length === 0 && !isFetching && (
            <Combobox.Empty>
              {isError
                ? 'Suggestions are unavailable; press Enter to filter by the id as typed.'
                : 'No member, API key or actor starts with that; press Enter to filter by the id as typed.'}
            </Combobox.Empty>
          )}
        </Combobox.Options>
      </Combobox.Dropdown>
    </Combobox>
  );
}

/** The name of the actor with this id, when the picker can tell (for the filter's chip). */
export function useActorName(actorId: string | undefined): string | undefined {
  const { data } = useSuggestAuditActorsQuery(actorId ?? '', { skip: !actorId });
  const actor = data?.find((a) => a.id === actorId);
  return actor?.name ?? undefined;
}
