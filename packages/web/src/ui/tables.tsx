import { ActionIcon, Box, Card, Stack, Table, Text, Tooltip, VisuallyHidden } from '@mantine/core';
import type { ReactNode } from 'react';
import { hookError } from '../app/errors';
import { LoadError, SectionLoader } from './states';

/** The part of an RTK Query list result that `QueryBody` needs. */
interface ListQuery<T> {
  data?: T[] | undefined;
  error?: unknown;
  isLoading: boolean;
  refetch: () => void;
}

interface QueryBodyProps<T> {
  query: ListQuery<T>;
  /** E.g. "Loading members"; an ellipsis is added. */
  loadingLabel: string;
  /** What failed to load, e.g. "the members". */
  what: string;
  /** Shown when the list is empty. */
  empty: ReactNode;
  /** Renders a non-empty list. */
  children: (items: T[]) => ReactNode;
}

/** The loading, failed, empty and loaded states of a list fetched from the API. */
export function QueryBody<T>({ query, loadingLabel, what, empty, children }: QueryBodyProps<T>) {
  const { data, error, isLoading, refetch } = query;
  if (isLoading) return <SectionLoader label={loadingLabel} />;
  if (!data) return <LoadError error={hookError(error)} what={what} onRetry={refetch} />;
  if (data.length === 0) return empty;
  return children(data);
}

interface TableCardProps {
  /** A visible title that also names the section; omit for a page's only card. */
  title?: { id: string; text: string; count?: number };
  /** Under the title: what the list is for, or where else to look. */
  description?: ReactNode;
  children: ReactNode;
}

/** The bordered card around a list, with an optional title and item count. */
export function TableCard({ title, description, children }: TableCardProps) {
  if (!title) {
    return (
      <Card withBorder padding={0} radius="md">
        {children}
      </Card>
    );
  }
  return (
    <Card withBorder padding={0} radius="md" component="section" aria-labelledby={title.id}>
      <Stack px="lg" py="md" gap={4}>
        <Text fw={600} id={title.id}>
          {title.text}{' '}
          {title.count !== undefined ? (
            <Text span c="dimmed">
              ({title.count})
            </Text>
          ) : null}
        </Text>
        {description}
      </Stack>
      {children}
    </Card>
  );
}

/** The header of a narrow column of row actions, named for screen readers only. */
export function ActionsHeader() {
  return (
    <Table.Th w={56}>
      <VisuallyHidden>Actions</VisuallyHidden>
    </Table.Th>
  );
}

interface DangerRowActionProps {
  tooltip: string;
  label: string;
  icon: ReactNode;
  onClick: () => void;
}

/** A red icon button in a table row that starts a destructive action (revoke, remove). */
export function DangerRowAction({ tooltip, label, icon, onClick }: DangerRowActionProps) {
  return (
    <Tooltip label={tooltip} withArrow position="left">
      <ActionIcon variant="subtle" color="red" aria-label={label} onClick={onClick}>
        {icon}
      </ActionIcon>
    </Tooltip>
  );
}

interface DataTableProps {
  /** The table's accessible name. */
  label: string;
  /** Below this width the table scrolls sideways instead of squeezing its columns. */
  minWidth: number;
  /** The header cells. */
  head: ReactNode;
  /** The body rows. */
  children: ReactNode;
  /**
   * On a phone each row becomes a card (cells stacked, each under its `data-label`) instead of a
   * table scrolling sideways. Label the body cells with `data-label` for it.
   */
  cardsOnPhone?: boolean;
}

/** A labelled table with one header row that scrolls sideways on narrow screens. */
export function DataTable({ label, minWidth, head, children, cardsOnPhone }: DataTableProps) {
  return (
    // A region that takes focus, so a keyboard can scroll it when it is wider than the screen.
    <Box className="custos-table-scroll" tabIndex={0} role="region" aria-label={label}>
      <Table aria-label={label} miw={minWidth} className={cardsOnPhone ? 'custos-cards' : undefined}>
        <Table.Thead>
          <Table.Tr>{head}</Table.Tr>
        </Table.Thead>
        <Table.Tbody>{children}</Table.Tbody>
      </Table>
    </Box>
  );
}
