import { Badge, Group, MultiSelect, Stack, Text } from '@mantine/core';
import { IconCheck } from '@tabler/icons-react';
import { useState } from 'react';
import { useGetRolesQuery } from './api';

interface RolesSelectProps {
  value: string[];
  onChange: (roles: string[]) => void;
  error?: string;
  label?: string;
  description?: string;
  required?: boolean;
}

/** Picks built-in and custom roles from the server's catalog, each with what it is for. */
export function RolesSelect({
  value,
  onChange,
  error,
  label = 'Roles',
  description,
  required = true,
}: RolesSelectProps) {
  const { data, isLoading, error: loadError } = useGetRolesQuery();
  const roles = data?.roles ?? [];
  // What is typed in the picker: while there is some, Enter picks the first match and must not also
  // submit the surrounding form (which sent the invitation with the preselected role instead).
  const [search, setSearch] = useState('');
  return (
    <MultiSelect
      label={label}
      description={description}
      placeholder={value.length === 0 ? 'Pick one or more roles' : undefined}
      data={roles.map((role) => ({ value: role.id, label: role.name }))}
      value={value}
      onChange={onChange}
      error={error ?? (loadError ? 'Could not load the roles.' : undefined)}
      disabled={isLoading}
      required={required}
      searchable
      searchValue={search}
      onSearchChange={setSearch}
      selectFirstOptionOnChange
      onKeyDown={(event) => {
        if (event.key === 'Enter' && search.trim() !== '') event.preventDefault();
      }}
      hidePickedOptions={false}
      comboboxProps={{ withinPortal: true }}
      renderOption={({ option, checked }) => {
        const role = roles.find((r) => r.id === option.value);
        return (
          <Group gap="sm" wrap="nowrap" align="flex-start">
            <IconCheck size={14} style={{ marginTop: 4, visibility: checked ? 'visible' : 'hidden' }} />
            <Stack gap={0}>
              <Group gap={6} wrap="nowrap">
                <Text size="sm">{option.label}</Text>
                {role && !role.builtIn && (
                  <Badge size="xs" variant="light" tt="none">
                    Custom
                  </Badge>
                )}
              </Group>
              {role && (
                <Text size="xs" c="dimmed">
                  {role.description}
                </Text>
              )}
            </Stack>
          </Group>
        );
      }}
    />
  );
}
