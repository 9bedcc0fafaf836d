import type { OutboxMessage } from '@custos/shared';
import {
  ActionIcon,
  Badge,
  Code,
  Collapse,
  Stack,
  Table,
  Text,
  Tooltip,
  VisuallyHidden,
} from '@mantine/core';
import { IconChevronDown, IconChevronRight, IconMail } from '@tabler/icons-react';
import { Fragment, useState } from 'react';
import { PageHeader } from '../../ui/PageHeader';
import { RelativeTime } from '../../ui/RelativeTime';
import { EmptyState } from '../../ui/states';
import { DataTable, QueryBody, TableCard } from '../../ui/tables';
import { Require } from '../shell/RequirePermission';
import { EmailOffNotice } from '../system/EmailOffNotice';
import { useListOutboxQuery } from './api';

const STATUS_COLORS: Record<OutboxMessage['status'], string> = {
  sent: 'teal',
  undelivered: 'yellow',
  failed: 'red',
};

const STATUS_LABELS: Record<OutboxMessage['status'], string> = {
  sent: 'Sent',
  undelivered: 'Not sent: kept here',
  failed: 'Failed',
};

const STATUS_HELP: Record<OutboxMessage['status'], string> = {
  sent: 'Handed to the mail server',
  undelivered:
    'E-mail is not configured (CUSTOS_SMTP_URL is not set): nobody received this message; it is kept here to pass on',
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
            <Badge
              color={STATUS_COLORS[message.status]}
              variant="light"
              c="var(--mantine-color-text)"
              data-status={message.status}
            >
              {STATUS_LABELS[message.status] ?? message.status}
            </Badge>
          </Tooltip>
        </Table.Td>
        <Table.Td>
          <RelativeTime iso={message.createdAt} />
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
            description="E-mails Custos sends to people (invitations, password resets, security notices) are listed here, whether or not a mail server took them. Alert e-mails are in each organization's alert delivery log."
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
        description="Every e-mail Custos has sent or tried to send to a person, newest first. Without a mail server, this is where those messages wait for you to pass them on."
      />
      <Require superAdmin>
        <Stack gap="lg">
          <EmailOffNotice>
            Invitations, password-reset links and security notices to users are kept below instead of being
            sent: nobody has received them. Pass on what must reach someone (most hold a one-time link), and
            tell people asking for a password reset that an admin hands the link over.
          </EmailOffNotice>
          <OutboxCard />
        </Stack>
      </Require>
    </>
  );
}
