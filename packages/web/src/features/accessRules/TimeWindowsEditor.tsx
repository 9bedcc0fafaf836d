import { ActionIcon, Button, Checkbox, Group, Paper, Stack, Text, TextInput, Tooltip } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { OFFICE_HOURS, type WindowDraft, type WindowProblems } from './ruleDraft';
import { WEEKDAYS } from './values';

interface TimeWindowsEditorProps {
  windows: WindowDraft[];
  onChange: (windows: WindowDraft[]) => void;
  timeZone: string;
  problems: Record<number, WindowProblems> | undefined;
  /** A problem with the windows as a whole, or the server's word on one of them. */
  error: string | undefined;
  /** The window the server's error points at. */
  errorIndex: number | null;
}

const MAX_WINDOWS = 20;

/** Repeatable weekly windows: days, a start and an end, in the organization's time zone. */
export function TimeWindowsEditor({
  windows,
  onChange,
  timeZone,
  problems,
  error,
  errorIndex,
}: TimeWindowsEditorProps) {
  function set(index: number, change: Partial<WindowDraft>) {
    onChange(windows.map((w, i) => (i === index ? { ...w, ...change } : w)));
  }

  return (
    <Stack gap="xs">
      <Stack gap={2}>
        <Text size="sm" fw={500}>
          Time windows
        </Text>
        <Text size="xs" c="dimmed">
          In the organization's time zone, {timeZone}. Times are 24-hour HH:MM; an end before the start runs
          past midnight, and 24:00 is the end of the day.
        </Text>
      </Stack>
      {windows.map((window, index) => {
        const p = problems?.[index];
        const serverError = errorIndex === index ? error : undefined;
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: windows have no identity but their place
          <Paper key={index} withBorder radius="md" p="sm" role="group" aria-label={`Window ${index + 1}`}>
            <Stack gap="xs">
              <Group justify="space-between" align="flex-start" wrap="nowrap">
                <Checkbox.Group
                  value={window.days.map(String)}
                  onChange={(days) => set(index, { days: days.map(Number) })}
                  label="Days"
                  error={p?.days}
                >
                  <Group gap="sm" mt={4}>
                    {WEEKDAYS.map((day) => (
                      <Checkbox
                        key={day.day}
                        value={String(day.day)}
                        label={day.short}
                        aria-label={day.long}
                      />
                    ))}
                  </Group>
                </Checkbox.Group>
                {windows.length > 1 && (
                  <Tooltip label="Remove this window" withArrow>
                    <ActionIcon
                      variant="subtle"
                      color="red"
                      aria-label={`Remove window ${index + 1}`}
                      onClick={() => onChange(windows.filter((_, i) => i !== index))}
                    >
                      <IconTrash size={16} />
                    </ActionIcon>
                  </Tooltip>
                )}
              </Group>
              <Group gap="sm" align="flex-start">
                <TextInput
                  label="From"
                  placeholder="08:00"
                  value={window.start}
                  onChange={(event) => set(index, { start: event.currentTarget.value })}
                  error={p?.start}
                  w={110}
                  classNames={{ input: 'custos-mono' }}
                  maxLength={5}
                />
                <TextInput
                  label="Until"
                  placeholder="18:00"
                  value={window.end}
                  onChange={(event) => set(index, { end: event.currentTarget.value })}
                  error={p?.end}
                  w={110}
                  classNames={{ input: 'custos-mono' }}
                  maxLength={5}
                />
              </Group>
              {serverError && (
                <Text size="xs" c="red">
                  {serverError}
                </Text>
              )}
            </Stack>
          </Paper>
        );
      })}
      {error && errorIndex === null && (
        <Text size="xs" c="red">
          {error}
        </Text>
      )}
      <Group>
        <Button
          variant="light"
          size="xs"
          leftSection={<IconPlus size={14} />}
          disabled={windows.length >= MAX_WINDOWS}
          onClick={() => onChange([...windows, { ...OFFICE_HOURS, days: [...OFFICE_HOURS.days] }])}
        >
          Add window
        </Button>
      </Group>
    </Stack>
  );
}
