import type { AuditIntegrityOut } from '@custos/shared';
import { Alert, Anchor, Button, Code, Divider, List, Stack, Text, Title } from '@mantine/core';
import { IconAlertOctagon, IconDownload } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { saveCheckpoint } from './download';
import { evidenceOf, ForgetCheckpoint, HistoryProblem, historyFailed } from './HistoryWarning';
import type { HistoryCheck } from './historyCheck';
import { stopsSigning } from './integrity';
import { ServerAlarmProblem, TamperingEventStep } from './ServerAlarm';
import { useAuditIntegrity } from './useAuditIntegrity';
import { useHistoryCheck } from './useHistoryCheck';

/** What went wrong, from either side: the server's own check, this browser's check, or both. */
interface Findings {
  server: AuditIntegrityOut | undefined;
  browser: HistoryCheck | undefined;
  /** This browser's latest check, failed or not: its checkpoint is evidence either way. */
  check: HistoryCheck | undefined;
}

function title({ server }: Findings): string {
  if (!server) return 'The audit log’s history has changed';
  return stopsSigning(server.alarms)
    ? 'Audit log tampering: Custos has stopped signing this log'
    : 'Audit log tampering detected';
}

/** A part of the warning; headed only when both parts show. */
function Part({ heading, children }: { heading: string | undefined; children: ReactNode }) {
  return (
    <Stack gap={4}>
      {heading && (
        <Title order={3} size="sm" c="inherit">
          {heading}
        </Title>
      )}
      {children}
    </Stack>
  );
}

/** What the reader should do, one list for both parts, with the checkpoint to keep as evidence. */
function NextSteps({ server, check }: Findings) {
  const evidence = check ? evidenceOf(check) : undefined;
  const file = evidence ? `checkpoint-${evidence.treeSize}.txt` : 'CHECKPOINT_FILE';
  const restore = server && stopsSigning(server.alarms);
  return (
    <Stack gap="xs">
      <Text size="sm" fw={700} c="inherit">
        What to do now
      </Text>
      <List type="ordered" size="sm" spacing={4} c="inherit">
        {server && (
          <List.Item>
            <TamperingEventStep integrity={server} />
          </List.Item>
        )}
        {evidence && (
          <List.Item>
            {check?.remembered
              ? 'Download the checkpoint this browser saw and keep it somewhere safe: the server signed it, so it proves what the log held.'
              : 'Download the checkpoint the server presents now and keep it somewhere safe, as evidence.'}
          </List.Item>
        )}
        <List.Item>
          Export the full log (Export, on the{' '}
          <Anchor component={Link} to="/audit" c="inherit" underline="always" fw={600}>
            audit log
          </Anchor>
          ) and check it on a machine you trust:{' '}
          <Code c="dark.9" bg="white" style={{ overflowWrap: 'anywhere' }}>
            npx custos audit verify --checkpoint {file} EXPORT_FILE
          </Code>
          {server &&
            ' (whoever runs the server also has the signer’s own last checkpoint, at the path named above)'}
          .
        </List.Item>
        <List.Item>
          {restore
            ? 'Restore the database from a backup taken before the change: Custos signs again once the log extends the last checkpoint it signed. Then find out who can write to the database.'
            : 'Tell your security team and whoever runs this Custos server, and compare its database with your backups.'}
        </List.Item>
      </List>
      {evidence?.note && (
        <div>
          <Button
            variant="white"
            color="red.9"
            size="sm"
            leftSection={<IconDownload size={16} />}
            onClick={() => saveCheckpoint(evidence.note, evidence.treeSize)}
          >
            Download {file}
          </Button>
        </div>
      )}
    </Stack>
  );
}

/**
 * The red warning on every page when the audit log cannot be trusted: the server's own integrity
 * alarm (its history no longer extends what the signer signed) and this browser's check against
 * the checkpoint it remembers, in one alert with one list of next steps.
 */
export function AuditWarning() {
  const integrity = useAuditIntegrity();
  const history = useHistoryCheck();
  const server = integrity.data?.status === 'alarm' ? integrity.data : undefined;
  const browser = historyFailed(history.data) ? history.data : undefined;
  if (!server && !browser) return null;
  const findings: Findings = { server, browser, check: history.data };
  const both = server !== undefined && browser !== undefined;
  return (
    <Alert
      role="alert"
      variant="filled"
      color="red.9"
      radius="md"
      mb="lg"
      icon={<IconAlertOctagon size={22} />}
      title={title(findings)}
      data-testid="history-warning"
      styles={{ title: { fontSize: 'var(--mantine-font-size-md)' } }}
    >
      <Stack gap="sm">
        {server && (
          <Part heading={both ? 'What the server found' : undefined}>
            <ServerAlarmProblem integrity={server} />
          </Part>
        )}
        {browser && (
          <Part heading={both ? 'What this browser found' : undefined}>
            <HistoryProblem check={browser} />
          </Part>
        )}
        <NextSteps {...findings} />
        <Divider color="red.3" />
        <Stack gap={4}>
          {server && (
            <Text size="xs" c="inherit">
              The server checks the log again every minute; this warning goes once it finds the log sound
              again.
            </Text>
          )}
          {browser && (
            <Text size="xs" c="inherit">
              This browser keeps the checkpoint it saw, so{' '}
              {server ? 'its part of the warning' : 'this warning'} stays until the log extends it again.
            </Text>
          )}
          {browser && (
            <div>
              <ForgetCheckpoint check={browser} />
            </div>
          )}
        </Stack>
      </Stack>
    </Alert>
  );
}
