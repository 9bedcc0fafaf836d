import type { AuditIntegrityOut } from '@custos/shared';
import { Anchor, Stack, Text } from '@mantine/core';
import { Fragment } from 'react';
import { Link } from 'react-router';
import { formatDateTime } from '../../app/format';
import { useDisplayTimeZone } from '../../ui/timeZone';
import { useCan } from '../shell/session';
import { useLatestSecurityEventOfTypeQuery } from '../threats/api';
import { ALARM_KIND_LABELS, alarmFigures, type IntegrityAlarm, stopsSigning } from './integrity';

/** The server's part of the red warning: what its own check of the log found. */

function Alarm({ alarm }: { alarm: IntegrityAlarm }) {
  useDisplayTimeZone();
  const figures = alarmFigures(alarm);
  return (
    <Stack gap={2} data-alarm-kind={alarm.kind}>
      <Text size="sm" fw={700} c="inherit">
        {ALARM_KIND_LABELS[alarm.kind]}{' '}
        <Text span size="xs" fw={400} c="inherit">
          (found {formatDateTime(alarm.detectedAt)})
        </Text>
      </Text>
      <Text size="sm" c="inherit" style={{ overflowWrap: 'anywhere' }}>
        {alarm.message}
      </Text>
      {figures.length > 0 && (
        <Text size="sm" c="inherit" data-testid="server-alarm-sizes">
          {figures.map((figure, i) => (
            <Fragment key={figure.key}>
              {i > 0 && ' · '}
              {figure.label}: <strong>{figure.value}</strong>
            </Fragment>
          ))}
        </Text>
      )}
    </Stack>
  );
}

export function ServerAlarmProblem({ integrity }: { integrity: AuditIntegrityOut }) {
  return (
    <Stack gap="xs" data-testid="server-alarm">
      <Text size="sm" c="inherit">
        Custos’s own check of this log against the last checkpoint it signed found:
      </Text>
      {integrity.alarms.map((alarm) => (
        <Alarm key={alarm.kind} alarm={alarm} />
      ))}
      {stopsSigning(integrity.alarms) && (
        <Text size="sm" fw={700} c="inherit">
          Until this is resolved, Custos signs nothing for this log: events are still recorded, but no new
          checkpoint covers them, so none of them can be proved.
        </Text>
      )}
    </Stack>
  );
}

const linkProps = { c: 'inherit', underline: 'always', fw: 700 } as const;

/**
 * The first step: the critical "Audit trail tampering" security event, linked when the caller can
 * see security events and it is found.
 */
export function TamperingEventStep({ integrity }: { integrity: AuditIntegrityOut }) {
  const canSee = useCan('security:read');
  const asOf = integrity.alarms.map((alarm) => alarm.detectedAt).join(',');
  const { data: event } = useLatestSecurityEventOfTypeQuery(
    { type: 'audit_tampering', asOf },
    // Detection raises the event just after the alarm, and triage may change which one is current.
    { skip: !canSee, pollingInterval: 15_000, skipPollingIfUnfocused: true },
  );
  if (!canSee) {
    return (
      <>
        Tell whoever triages security events: Custos raised a critical “Audit trail tampering” event for this
        organization.
      </>
    );
  }
  if (!event) {
    return (
      <>
        Open the critical{' '}
        <Anchor component={Link} to="/security/events?type=audit_tampering" {...linkProps}>
          Audit trail tampering security event
        </Anchor>{' '}
        and triage it: who investigates, what was found.
      </>
    );
  }
  return (
    <>
      Open the critical{' '}
      <Anchor
        component={Link}
        to={`/security/events/${encodeURIComponent(event.id)}`}
        data-testid="tampering-event-link"
        {...linkProps}
      >
        Audit trail tampering security event
      </Anchor>{' '}
      and triage it: who investigates, what was found.
    </>
  );
}
