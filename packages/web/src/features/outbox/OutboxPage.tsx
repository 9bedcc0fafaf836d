import type { OutboxMessage } from '@custos/shared';
import { ActionIcon, Badge, Code, Collapse, Table, Text, Tooltip, VisuallyHidden } from '@mantine/core';
import { IconChevronDown, IconChevronRight, IconMail } from '@tabler/icons-react';
import { Fragment, useState } from 'react';
import { formatDateTime, formatRelative } from '../../app/format';
import { PageHeader } from '../../ui/PageHeader';
import { EmptyState } from '../../ui/states';
import { DataTable, QueryBody, TableCard } from '../../ui/tables';
import { Require } from '../shell/RequirePermission';
import { useListOutboxQuery } from './api';

const STATUS_COLORS: Record<OutboxMessage['status'], string> = {
  sent: 'teal',
  undelivered: 'yellow',
  failed: 'red',
};

const STATUS_HELP: Record<OutboxMessage['status'], string> = {
  sent: 'Handed to the mail server',
  undelivered: 'No mail server is configured; the message was only recorded here',
  failed: 'The mail server refused the message or could not be reached',
};

function OutboxRow({ message }: { message: OutboxMessage }) {
  const [open, setOpen] = useState(false);
  return (
    <Fragment>
      <Table.Tr>
        <Table.Td w={48}>
          <ActionIcon
            variant="subtle"
            color="gray"
            onClick={() => setOpen((o) => !o)}
            aria-expanded={open}
            aria-label={`${open ? 'Hide' : 'Show'} message to ${message.to}`}
          >
            {open ? <IconChevronDown size={16} /> : <IconChevronRight size={16} />}
          </ActionIcon>
        </Table.Td>
        <Table.Td>
          <Text size="sm">{message.to}</Text>
        </Table.Td>
        <Table.Td>
          <Text size="sm" fw={500}>
            {message.subject}
          </Text>
        </Table.Td>
        <Table.Td>
          <Tooltip label={message.error ?? STATUS_HELP[message.status]} withArrow multiline maw={300}>
            <Badge color={STATUS_COLORS[message.status]} variant="light">
              {message.status}
            </Badge>
          </Tooltip>
        </Table.Td>
        <Table.Td>
          <Tooltip label={formatDateTime(message.createdAt)} withArrow>
            <Text size="sm">{formatRelative(message.createdAt)}</Text>
          </Tooltip>
        </Table.Td>
      </Table.Tr>
      <Table.Tr style={{ display: open ? undefined : 'none' }}>
        <Table.Td colSpan={5} p={0}>
          <Collapse in={open}>
            <div style={{ padding: 'var(--mantine-spacing-md)' }}>
              {message.error && (
                <Text size="sm" c="red" mb="xs">
                  Error: {message.error}
                </Text>
              )}
              <Code block style={{ whiteSpace: 'pre-wrap' }}>
                {message.text ?? '(no text body)'}
              </Code>
            </div>
          </Collapse>
        </Table.Td>
      </Table.Tr>
    </Fragment>
  );
}

function OutboxCard() {
  return (
    <TableCard>
      <QueryBody
        query={useListOutboxQuery()}
        loadingLabel="Loading messages"
        what="the outbox"
        empty={
          <EmptyState
            icon={<IconMail size={24} />}
            title="No messages"
            description="E-mails Custos sends (invitations, alerts) are listed here, whether or not a mail server delivered them."
          />
        }
      >
        {(messages) => (
          <DataTable
            label="Outbox"
            minWidth={640}
            head={
              <>
                <Table.Th>
                  <VisuallyHidden>Details</VisuallyHidden>
                </Table.Th>
                <Table.Th>To</Table.Th>
                <Table.Th>Subject</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Created</Table.Th>
              </>
            }
          >
            {messages.map((message) => (
              <OutboxRow key={message.id} message={message} />
            ))}
          </DataTable>
        )}
      </QueryBody>
    </TableCard>
  );
}

export function OutboxPage() {
  return (
    <>
      <PageHeader
        title="Outbox"
        description="Every e-mail Custos has sent or tried to send, newest first. Useful when no mail server is configured."
      />
      <Require superAdmin>
        <OutboxCard />
      </Require>
    </>
  );
}
