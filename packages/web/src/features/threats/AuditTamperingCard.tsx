import type { SecurityEventDetail } from '@custos/shared';
import { Anchor, Card, Code, List, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { isAlarmKind, stopsSigning } from '../audit/integrity';

/**
 * In place of the evidence list on an "Audit trail tampering" event: no audit events are behind it
 * (the checkpoint signer raised it), so the card says how to investigate instead.
 */
export function AuditTamperingCard({ event }: { event: SecurityEventDetail }) {
  const { kind } = event.details;
  const signingStopped = !isAlarmKind(kind) || stopsSigning([{ kind }]);
  return (
    <Card withBorder radius="md" padding="lg" component="section" aria-labelledby="event-investigate-title">
      <Stack gap="sm">
        <Title order={5} id="event-investigate-title">
          Investigate
        </Title>
        <Text size="sm" c="gray.7">
          Custos’s checkpoint signer raised this event, not a detector counting audit events, so there is no
          evidence list: the log itself is what changed.
        </Text>
        <List type="ordered" size="sm" spacing={6}>
          <List.Item>
            Open the{' '}
            <Anchor component={Link} to="/audit" fw={600}>
              audit log
            </Anchor>
            : the red warning at the top says what the server finds now, and the events it still holds show
            which ones were altered.
          </List.Item>
          <List.Item>
            Export the full log there and check it on a machine you trust, against the signer’s last
            checkpoint (its path is in the explanation above) or one you kept:{' '}
            <Code style={{ overflowWrap: 'anywhere' }}>
              npx custos audit verify --checkpoint CHECKPOINT_FILE EXPORT_FILE
            </Code>
          </List.Item>
          <List.Item>
            {signingStopped
              ? 'Restore the database from a backup taken before the change: Custos signs the log again once its history extends the last checkpoint it signed. Then find out who can write to the database.'
              : 'The rows in the way were moved aside and kept as evidence; the log goes on. Find out who can write to the database.'}
          </List.Item>
        </List>
      </Stack>
    </Card>
  );
}
